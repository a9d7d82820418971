"""The audit trail is append-only: Django refuses to change or delete a row (save of an existing
row, delete, QuerySet update/delete), and on PostgreSQL the database itself refuses UPDATE and
DELETE (a trigger, migration 0006) to any SQL, except the retention job's DELETE in a transaction
that set gridgov.audit_archive."""

import pytest
from django.db import DatabaseError, connection, transaction

from governance.actions import record_audit
from governance.audit.retention import delete_archived
from governance.models import AppendOnly, AuditEvent, Region

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")


@pytest.fixture
def event(db):
    region = Region.objects.create(code="2108", name="营口市", level=1)
    return record_audit(actor=None, action="region.create", target=region, region_code="2108")


def test_django_refuses_to_save_an_existing_audit_row(event):
    event.action = "nothing.happened"
    with pytest.raises(AppendOnly):
        event.save()


def test_django_refuses_to_delete_an_audit_row_or_a_queryset_of_them(event):
    with pytest.raises(AppendOnly):
        event.delete()
    with pytest.raises(AppendOnly):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    assert AuditEvent.objects.filter(pk=event.pk, action="region.create").exists()


@on_postgresql
def test_an_update_in_raw_sql_fails_on_postgresql(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE governance_auditevent SET action = 'nothing.happened' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "region.create"


@on_postgresql
def test_a_delete_in_raw_sql_fails_on_postgresql(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM governance_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@on_postgresql
def test_the_archive_flag_allows_a_delete_but_never_an_update(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL gridgov.audit_archive = 'on'")
        cursor.execute("UPDATE governance_auditevent SET action = 'x' WHERE id = %s", [event.pk])
    with transaction.atomic():
        assert delete_archived(event.pk) == 1
    assert not AuditEvent.objects.filter(pk=event.pk).exists()


@on_postgresql
def test_the_archive_flag_lasts_only_its_transaction(event):
    with transaction.atomic():
        delete_archived(0)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM governance_auditevent WHERE id = %s", [event.pk])
