"""Routed only when sandbox payments are on (peerlearn/urls.py)."""

from django.urls import path

from . import views

app_name = "payments_sandbox"
urlpatterns = [
    path("sandbox/razorpay/v1/orders", views.orders, name="orders"),
    path("sandbox/razorpay/v1/orders/<str:order_id>", views.order_detail, name="order"),
    path("sandbox/razorpay/v1/orders/<str:order_id>/payments", views.order_payments, name="order_payments"),
    path("sandbox/razorpay/v1/payments/<str:payment_id>", views.payment_detail, name="payment"),
    path("sandbox/razorpay/v1/payments/<str:payment_id>/refund", views.payment_refund, name="refund_payment"),
    path("sandbox/razorpay/v1/refunds/<str:refund_id>", views.refund_detail, name="refund"),
    path("sandbox/razorpay/checkout/<str:order_id>/", views.checkout, name="checkout"),
    path("sandbox/razorpay/v1/contacts", views.contacts, name="contacts"),
    path("sandbox/razorpay/v1/fund_accounts", views.fund_accounts, name="fund_accounts"),
    path("sandbox/razorpay/v1/payouts", views.payouts, name="payouts"),
    path("sandbox/razorpay/v1/payouts/<str:payout_id>", views.payout_detail, name="payout"),
    path("sandbox/razorpayx/payouts/", views.payouts_console, name="payouts_console"),
]
