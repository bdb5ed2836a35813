"""The emulated gateway's own records (what Razorpay would hold on its side)."""

from __future__ import annotations

from django.db import models


class SandboxOrder(models.Model):
    order_id = models.CharField(max_length=40, unique=True)
    amount = models.PositiveIntegerField()
    currency = models.CharField(max_length=3, default="INR")
    receipt = models.CharField(max_length=40)
    notes = models.JSONField(default=dict)
    status = models.CharField(max_length=10, default="created")  # created / attempted / paid
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.order_id


class SandboxPayment(models.Model):
    payment_id = models.CharField(max_length=40, unique=True)
    order = models.ForeignKey(SandboxOrder, on_delete=models.CASCADE, related_name="payments")
    amount = models.PositiveIntegerField()
    status = models.CharField(max_length=10)  # captured / failed / refunded
    amount_refunded = models.PositiveIntegerField(default=0)
    error_code = models.CharField(max_length=60, blank=True)
    error_description = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.payment_id


class SandboxRefund(models.Model):
    refund_id = models.CharField(max_length=40, unique=True)
    payment = models.ForeignKey(SandboxPayment, on_delete=models.CASCADE, related_name="refunds")
    amount = models.PositiveIntegerField()
    notes = models.JSONField(default=dict)
    status = models.CharField(max_length=10, default="processed")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.refund_id


# --- RazorpayX Payouts (contacts → fund accounts → payouts) ---------------------------------


class SandboxContact(models.Model):
    contact_id = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    email = models.CharField(max_length=254, blank=True)
    reference_id = models.CharField(max_length=40, blank=True)
    type = models.CharField(max_length=20, default="vendor")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.contact_id


class SandboxFundAccount(models.Model):
    fund_account_id = models.CharField(max_length=40, unique=True)
    contact = models.ForeignKey(SandboxContact, on_delete=models.CASCADE, related_name="fund_accounts")
    account_type = models.CharField(max_length=12)  # vpa / bank_account
    details = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.fund_account_id


class SandboxPayout(models.Model):
    """A payout as RazorpayX holds it: ``processing`` until the tester picks how it ends on the
    sandbox payouts page (``processed``, ``failed``, or later ``reversed``)."""

    payout_id = models.CharField(max_length=40, unique=True)
    fund_account = models.ForeignKey(SandboxFundAccount, on_delete=models.PROTECT, related_name="payouts")
    amount = models.PositiveIntegerField()
    mode = models.CharField(max_length=4)
    purpose = models.CharField(max_length=20, default="payout")
    reference_id = models.CharField(max_length=40, blank=True)
    narration = models.CharField(max_length=30, blank=True)
    notes = models.JSONField(default=dict)
    idempotency_key = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=12, default="processing")
    utr = models.CharField(max_length=40, blank=True)
    failure_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.payout_id
