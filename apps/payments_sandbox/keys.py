"""Fixed, public test credentials of the sandbox gateway (never secrets: anyone may read them)."""

SANDBOX_KEY_ID = "rzp_test_sandbox0000"
SANDBOX_KEY_SECRET = "sandbox-key-secret-not-a-secret"  # noqa: S105 - fixed public test value
SANDBOX_WEBHOOK_SECRET = "sandbox-webhook-secret-not-a-secret"  # noqa: S105
