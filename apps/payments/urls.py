from django.urls import path

from . import sandbox, views

app_name = "payments"
urlpatterns = [
    path("payments/webhook/razorpay/", views.razorpay_webhook, name="webhook"),
    path("payments/callback/<str:receipt>/", views.payment_callback, name="callback"),
    path("payments/checkout/<str:receipt>/", views.checkout, name="checkout"),
    path("dashboard/learner/payments/", views.payment_list, name="list"),
    path("dashboard/learner/payments/<str:receipt>/", views.receipt, name="receipt"),
    path("dashboard/mentor/earnings/", views.mentor_earnings, name="earnings"),
    # Sandbox emulation of the Razorpay API (404 when real keys are configured).
    path("sandbox/razorpay/v1/orders", sandbox.orders, name="sandbox_orders"),
    path("sandbox/razorpay/v1/orders/<str:order_id>", sandbox.order_detail),
    path("sandbox/razorpay/v1/orders/<str:order_id>/payments", sandbox.order_payments),
    path("sandbox/razorpay/v1/payments/<str:payment_id>", sandbox.payment_detail),
    path("sandbox/razorpay/v1/payments/<str:payment_id>/refund", sandbox.payment_refund),
    path("sandbox/razorpay/v1/refunds/<str:refund_id>", sandbox.refund_detail),
    path("sandbox/razorpay/v1/payouts", sandbox.payouts),
    path("sandbox/razorpay/checkout/<str:order_id>/", sandbox.checkout, name="sandbox_checkout"),
]
