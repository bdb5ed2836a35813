"""Database guards for the ledger on PostgreSQL: entries and transactions are append-only, and
the legs of each transaction must sum to zero at commit (a deferred constraint trigger).
On SQLite the ledger service is the only writer and checks the same rules."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION ledger_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'ledger rows are append-only';
END $$ LANGUAGE plpgsql;

CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE OR DELETE ON payments_ledgerentry
  FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_tx_append_only BEFORE UPDATE OR DELETE ON payments_ledgertransaction
  FOR EACH ROW EXECUTE FUNCTION ledger_append_only();

CREATE OR REPLACE FUNCTION ledger_tx_balanced() RETURNS trigger AS $$
DECLARE total bigint;
BEGIN
  SELECT COALESCE(SUM(amount_paise), 0) INTO total FROM payments_ledgerentry
   WHERE transaction_id = NEW.transaction_id;
  IF total <> 0 THEN
    RAISE EXCEPTION 'ledger transaction % does not balance (%)', NEW.transaction_id, total;
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER ledger_entry_balanced AFTER INSERT ON payments_ledgerentry
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_tx_balanced();
"""

DROP = """
DROP TRIGGER IF EXISTS ledger_entry_balanced ON payments_ledgerentry;
DROP TRIGGER IF EXISTS ledger_entry_append_only ON payments_ledgerentry;
DROP TRIGGER IF EXISTS ledger_tx_append_only ON payments_ledgertransaction;
DROP FUNCTION IF EXISTS ledger_tx_balanced();
DROP FUNCTION IF EXISTS ledger_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
