"""Payments: our record of gateway orders/payments/refunds, webhook de-duplication, the ledger,
and the tables behind the sandbox emulation of the Razorpay API."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentStatus(models.TextChoices):
    CREATED = "created", _("Created")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    REFUNDED = "refunded", _("Refunded")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")


class Payment(models.Model):
    """One gateway order covering one booking or a whole cart."""

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payments")
    gateway = models.CharField(max_length=20)  # "razorpay" or "sandbox"
    receipt = models.CharField(max_length=40, unique=True)
    gateway_order_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    gateway_payment_id = models.CharField(max_length=64, blank=True, db_index=True)
    amount_paise = models.PositiveIntegerField()
    refunded_paise = models.PositiveIntegerField(default=0)
    currency = models.CharField(max_length=3, default="INR")
    status = models.CharField(
        max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.CREATED, db_index=True
    )
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.CheckConstraint(
                condition=models.Q(refunded_paise__lte=models.F("amount_paise")), name="payment_refund_le_amount"
            ),
        ]

    def __str__(self) -> str:
        return f"Payment {self.receipt} ({self.status})"


class PaymentItem(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="items")
    booking = models.ForeignKey("bookings.Booking", on_delete=models.PROTECT, related_name="payment_items")
    amount_paise = models.PositiveIntegerField()
    refunded_paise = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("id",)
        constraints = [
            models.UniqueConstraint(fields=["payment", "booking"], name="payment_item_unique"),
            models.CheckConstraint(
                condition=models.Q(refunded_paise__lte=models.F("amount_paise")), name="item_refund_le_amount"
            ),
        ]

    def __str__(self) -> str:
        return f"Item {self.booking_id} of payment {self.payment_id}"


class AttemptStatus(models.TextChoices):
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")


class PaymentAttempt(models.Model):
    """Every gateway payment attempt we hear about (callback, webhook or reconciliation)."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="attempts")
    gateway_payment_id = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=AttemptStatus.choices)
    source = models.CharField(max_length=20)
    error_code = models.CharField(max_length=60, blank=True)
    error_description = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at",)
        constraints = [
            models.UniqueConstraint(fields=["payment", "gateway_payment_id", "status"], name="attempt_unique")
        ]

    def __str__(self) -> str:
        return f"Attempt {self.gateway_payment_id} ({self.status})"


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    PROCESSED = "processed", _("Processed")
    FAILED = "failed", _("Failed")


class Refund(models.Model):
    item = models.ForeignKey(PaymentItem, on_delete=models.PROTECT, related_name="refunds")
    amount_paise = models.PositiveIntegerField()
    percent = models.PositiveSmallIntegerField()
    reason = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=RefundStatus.choices, default=RefundStatus.PENDING, db_index=True)
    gateway_refund_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        constraints = [models.CheckConstraint(condition=models.Q(amount_paise__gt=0), name="refund_positive")]

    def __str__(self) -> str:
        return f"Refund {self.pk} ({self.status})"


class WebhookEvent(models.Model):
    """A processed webhook event id; inserted in the same transaction as the event's effect."""

    event_id = models.CharField(max_length=80, unique=True)
    event = models.CharField(max_length=60)
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.event_id


# --- Ledger ---------------------------------------------------------------------------------


class AccountKind(models.TextChoices):
    GATEWAY_CLEARING = "gateway_clearing", _("Gateway clearing")  # money held by the gateway (asset)
    PLATFORM_REVENUE = "platform_revenue", _("Platform revenue")
    MENTOR_PENDING = "mentor_pending", _("Mentor earnings (pending)")
    MENTOR_AVAILABLE = "mentor_available", _("Mentor earnings (available)")
    MENTOR_RESERVED = "mentor_reserved", _("Reserved for withdrawal")


class LedgerAccount(models.Model):
    code = models.CharField(max_length=80, unique=True)
    kind = models.CharField(max_length=20, choices=AccountKind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Credit-normal accounts (liabilities, revenue) may not go below zero from their side.
    may_go_negative = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.code


class LedgerTransaction(models.Model):
    kind = models.CharField(max_length=30)
    key = models.CharField(max_length=120, unique=True, help_text="Idempotency key")
    memo = models.CharField(max_length=200, blank=True)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_txs")
    booking = models.ForeignKey(
        "bookings.Booking", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_txs"
    )
    withdrawal = models.ForeignKey(
        "payments.Withdrawal", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_txs"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Ledger transactions are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("Ledger transactions are append-only")


class LedgerEntry(models.Model):
    """One leg. Positive = debit, negative = credit; the legs of a transaction sum to zero."""

    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="entries")
    amount_paise = models.BigIntegerField()

    class Meta:
        ordering = ("id",)
        constraints = [models.CheckConstraint(condition=~models.Q(amount_paise=0), name="entry_nonzero")]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.amount_paise}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Ledger entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("Ledger entries are append-only")


# --- Money out: payout details and withdrawals (SPEC §11) -----------------------------------


class PayoutMethod(models.TextChoices):
    UPI = "upi", _("UPI")
    BANK = "bank", _("Bank account")


def mask_middle(value: str, keep: int = 4) -> str:
    """``1234567890`` → ``••••••7890``: only the last ``keep`` characters stay readable."""
    if len(value) <= keep:
        return "•" * len(value)
    return "•" * (len(value) - keep) + value[-keep:]


def mask_upi(upi: str) -> str:
    """``ravi.kumar@okicici`` → ``ra••••••@okicici`` (the handle stays, it names the bank app)."""
    name, _sep, handle = upi.partition("@")
    visible = name[:2]
    return f"{visible}{'•' * max(2, len(name) - len(visible))}@{handle}"


class PayoutAccount(models.Model):
    """Where a mentor's withdrawals are paid: a UPI id, or a bank account with IFSC and holder.

    The gateway's contact and fund account ids are cached here; changing the details clears the
    fund account (a new one is created at the next payout)."""

    mentor = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payout_account")
    method = models.CharField(max_length=4, choices=PayoutMethod.choices)
    upi_id = models.CharField(max_length=100, blank=True)
    bank_account = models.CharField(max_length=18, blank=True)
    ifsc = models.CharField(max_length=11, blank=True)
    holder_name = models.CharField(max_length=120, blank=True)
    gateway_contact_id = models.CharField(max_length=64, blank=True)
    gateway_fund_account_id = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Payout account of {self.mentor_id}: {self.masked()}"

    def masked(self) -> str:
        if self.method == PayoutMethod.UPI:
            return f"UPI {mask_upi(self.upi_id)}"
        return f"A/c {mask_middle(self.bank_account)} · {self.ifsc}"

    @property
    def mode(self) -> str:
        """The RazorpayX payout mode used for this destination."""
        return "UPI" if self.method == PayoutMethod.UPI else "IMPS"


class WithdrawalStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class Withdrawal(models.Model):
    """A mentor's request to be paid out. The amount is reserved in the ledger at request time."""

    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="withdrawals")
    amount_paise = models.PositiveIntegerField()
    status = models.CharField(
        max_length=10, choices=WithdrawalStatus.choices, default=WithdrawalStatus.REQUESTED, db_index=True
    )
    reason = models.CharField(max_length=300, blank=True, help_text="Why it was rejected or failed")
    destination = models.CharField(max_length=80, help_text="Masked payout details at request time")
    mode = models.CharField(max_length=4, default="UPI")  # UPI / IMPS / NEFT
    idempotency_key = models.CharField(max_length=64, unique=True)
    gateway_payout_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    gateway_status = models.CharField(max_length=20, blank=True)
    utr = models.CharField(max_length=40, blank=True)
    reversed = models.BooleanField(default=False)
    last_error = models.CharField(max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [models.CheckConstraint(condition=models.Q(amount_paise__gt=0), name="withdrawal_positive")]

    def __str__(self) -> str:
        return f"Withdrawal {self.pk} ({self.status})"


class Tip(models.Model):
    """A learner's gift to a mentor (₹10 to ₹10,000, optional message), paid like a booking: its own
    Payment (no items) through order → Checkout → callback/webhook; the ledger splits it with the
    same platform fee and the mentor's share matures 24 h after it is paid."""

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tips_given")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tips_received")
    session = models.ForeignKey("catalog.Session", on_delete=models.PROTECT, null=True, blank=True, related_name="tips")
    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="tip")
    amount_paise = models.PositiveIntegerField()
    message = models.CharField(max_length=280, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_paise__gte=1_000, amount_paise__lte=1_000_000), name="tip_amount_bounds"
            )
        ]

    def __str__(self) -> str:
        return f"Tip {self.pk} to {self.mentor_id}"
