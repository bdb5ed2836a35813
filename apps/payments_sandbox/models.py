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
