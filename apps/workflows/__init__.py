"""Cross-app business flows (book and pay, payment received, cancellations, completion, no-show,
account deletion, mentor decisions) and their periodic jobs.

Each flow is one function that reads top to bottom: it calls the domain apps' services (bookings,
payments, catalog, accounts, progress) and tells people through notifications. Views, consumers
and tasks call these; the domain apps never call up into this layer. The one way up is the
payments app's three signals (a capture, a failure or a refund can originate in a webhook or in
reconciliation), which ``receivers.py`` turns into calls of the flows here.
"""
