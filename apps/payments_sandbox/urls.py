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
]
