"""The audit chain's first head function, `gridgov_audit_chain_head(bigint)` (migration 0006), has had no
caller since 0008 replaced it with `gridgov_audit_chain_head_last`, which takes the chain last: dropped, so
nothing can take the chain's lock the old way (before the transaction's deferred checks) again."""

from django.db import migrations

OLD_HEAD_SQL = """
CREATE OR REPLACE FUNCTION gridgov_audit_chain_head(lock_key bigint) RETURNS varchar AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    RETURN (SELECT row_hash FROM governance_auditevent ORDER BY id DESC LIMIT 1);
END
$$ LANGUAGE plpgsql VOLATILE;
"""


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS gridgov_audit_chain_head(bigint);", params=None)


def restore(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(OLD_HEAD_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [("governance", "0008_audit_chain_taken_last")]
    operations = [migrations.RunPython(drop, restore)]
