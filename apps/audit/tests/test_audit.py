import pytest
from django.db import DatabaseError, connection, transaction

from apps.audit.models import AuditEntry
from apps.audit.services import record

pytestmark = pytest.mark.django_db


def test_record_fills_the_object_and_refuses_edits(admin_user):
    entry = record(actor=admin_user, action="user.block", obj=admin_user, reason="spam", ip="203.0.113.9")
    assert (entry.object_type, entry.object_id, entry.ip) == ("accounts.user", str(admin_user.pk), "203.0.113.9")
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()
    assert record(actor=None, action="x", ip="not-an-ip").ip is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_postgres_refuses_update_and_delete(admin_user):
    entry = record(actor=admin_user, action="payment.refund", object_type="payments.payment", object_id=7)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(reason="changed")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).reason == ""
