from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("payments/webhook/razorpay/", views.razorpay_webhook, name="webhook"),
    path("payments/callback/<str:receipt>/", views.payment_callback, name="callback"),
    path("payments/checkout/<str:receipt>/", views.checkout, name="checkout"),
    path("dashboard/learner/payments/", views.payment_list, name="list"),
    path("dashboard/learner/payments/<str:receipt>/", views.receipt, name="receipt"),
    path("dashboard/learner/payments/<str:receipt>/pdf/", views.receipt_pdf, name="receipt_pdf"),
    path("dashboard/mentor/earnings/", views.mentor_earnings, name="earnings"),
    path("dashboard/mentor/earnings/export.csv", views.mentor_earnings_csv, name="earnings_csv"),
    path("dashboard/mentor/earnings/statement.pdf", views.statement_pdf, name="statement_pdf"),
    path("dashboard/mentor/payout-details/", views.payout_details, name="payout_details"),
]
