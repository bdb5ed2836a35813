from django.urls import path

from . import bookings_views as views

app_name = "bookings"
urlpatterns = [
    path("sessions/<int:pk>/book/", views.book, name="book"),
    path("cart/", views.cart, name="cart"),
    path("cart/add/<int:pk>/", views.cart_add, name="cart_add"),
    path("cart/remove/<int:pk>/", views.cart_remove, name="cart_remove"),
    path("cart/checkout/", views.cart_checkout, name="cart_checkout"),
    path("dashboard/learner/bookings/", views.booking_list, name="list"),
    path("dashboard/learner/bookings/<int:pk>/cancel/", views.booking_cancel, name="cancel"),
]
