from __future__ import annotations

from typing import Any

from django.contrib import admin

from .models import LedgerEntry, LedgerTransaction, Payment, PaymentAttempt, PaymentItem, Refund, WebhookEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """Money records are changed only by the services; the Django admin only shows them."""

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class ItemInline(admin.TabularInline):
    model = PaymentItem
    extra = 0
    can_delete = False
    readonly_fields = ("booking", "amount_paise", "refunded_paise")


class AttemptInline(admin.TabularInline):
    model = PaymentAttempt
    extra = 0
    can_delete = False
    readonly_fields = ("gateway_payment_id", "status", "source", "error_code", "error_description", "created_at")


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("receipt", "learner", "amount_paise", "refunded_paise", "status", "gateway", "created_at")
    list_filter = ("status", "gateway")
    search_fields = ("receipt", "gateway_order_id", "gateway_payment_id", "learner__email")
    inlines = (ItemInline, AttemptInline)


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ("pk", "item", "amount_paise", "percent", "status", "gateway_refund_id", "created_at")
    list_filter = ("status",)


class EntryInline(admin.TabularInline):
    model = LedgerEntry
    extra = 0
    can_delete = False
    readonly_fields = ("account", "amount_paise")


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyAdmin):
    list_display = ("pk", "kind", "key", "payment", "booking", "created_at")
    list_filter = ("kind",)
    inlines = (EntryInline,)


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ("event_id", "event", "received_at")
