"""The audit chain is taken last, right before COMMIT (governance.audit.chain.flush): one function call
runs the transaction's deferred foreign-key checks, locks the actors' rows FOR KEY SHARE (what the audit
rows' own foreign key takes), and only then takes the chain's advisory lock and reads its head — so a
transaction holding the chain waits for no row lock, and the chain cannot close a deadlock."""

from django.db import migrations

CHAIN_LAST_SQL = """
CREATE OR REPLACE FUNCTION gridgov_audit_chain_head_last(lock_key bigint, actor_ids bigint[]) RETURNS varchar AS $$
BEGIN
    -- The deferred foreign-key checks now (they lock the rows they point to), then deferred again as
    -- before (Django's own constraint check does the same): the audit rows' own check at COMMIT finds
    -- its actor's row locked by this transaction already.
    SET CONSTRAINTS ALL IMMEDIATE;
    SET CONSTRAINTS ALL DEFERRED;
    PERFORM 1 FROM governance_user WHERE id = ANY(actor_ids) ORDER BY id FOR KEY SHARE;
    PERFORM pg_advisory_xact_lock(lock_key);
    RETURN (SELECT row_hash FROM governance_auditevent ORDER BY id DESC LIMIT 1);
END
$$ LANGUAGE plpgsql VOLATILE;
"""
DROP_SQL = "DROP FUNCTION IF EXISTS gridgov_audit_chain_head_last(bigint, bigint[]);"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CHAIN_LAST_SQL, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [("governance", "0007_task_outbox")]
    operations = [migrations.RunPython(create, drop)]
