"""The sandbox payment gateway: a local emulation of the parts of Razorpay PeerLearn uses.

Installed (INSTALLED_APPS, URLs, migrations) only when sandbox payments are on, so a production
database has none of its tables. It sits at the bottom of the layers: it knows nothing of
payments, bookings or users — like the real gateway, it only sees orders, amounts and notes.
"""
