"""Internal signals of the payments app, sent synchronously *inside* the transaction that changes
a payment, so receivers (the bookings app) apply their part atomically with it. Payments never
imports bookings; bookings subscribes here."""

from django.dispatch import Signal

payment_paid = Signal()  # sender=Payment, payment, source
payment_failed = Signal()  # sender=Payment, payment, attempt
refund_processed = Signal()  # sender=Refund, refund
withdrawal_changed = Signal()  # sender=Withdrawal, withdrawal, previous (status before), actor
