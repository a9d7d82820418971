"""Raw bulk inserts for imports: PostgreSQL COPY, or one executemany elsewhere.

Django's bulk_create builds a model instance per row and compiles every value
through its field; for hundreds of thousands of rows that costs more than the
database itself. Callers pass plain tuples already in database form (see
`db_value`); auto_now fields and defaults are the caller's to fill in.
"""

from __future__ import annotations

import csv
import io

from django.db import connection, models


def db_date(value):
    return connection.ops.adapt_datefield_value(value)


def db_datetime(value):
    return connection.ops.adapt_datetimefield_value(value)


def _columns(model: type[models.Model], fields: list[str]) -> list[models.Field]:
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    return [by_attname[name] for name in fields]


def insert_rows(model: type[models.Model], fields: list[str], rows: list[tuple], *, ignore_conflicts: bool = False) -> None:
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    columns = _columns(model, fields)
    names = ", ".join(connection.ops.quote_name(f.column) for f in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not ignore_conflicts:
            buffer = io.StringIO()
            csv.writer(buffer).writerows(rows)
            buffer.seek(0)
            not_null = [connection.ops.quote_name(f.column) for f in columns
                        if not f.null and isinstance(f, (models.CharField, models.TextField))]
            options = "FORMAT csv" + (f", FORCE_NOT_NULL ({', '.join(not_null)})" if not_null else "")
            cursor.cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN WITH ({options})", buffer)
            return
        if connection.vendor == "postgresql":
            from psycopg2.extras import execute_values

            execute_values(cursor.cursor, f"INSERT INTO {table} ({names}) VALUES %s ON CONFLICT DO NOTHING", rows,
                           page_size=1000)
            return
        placeholders = ", ".join(["%s"] * len(columns))
        suffix = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders}){suffix}", rows)


def select_in(model: type[models.Model], fields: list[str], key_fields: list[str], keys: list[tuple],
              chunk: int = 2000) -> list[tuple]:
    """Rows of `model` whose `key_fields` equal one of `keys` (tuples), as tuples of `fields`.

    One raw query per chunk with a row-value IN list: Django's ORM resolves every
    parameter of an __in lookup through its field (tens of µs per key), and cannot
    express a multi-column IN without OR-ing thousands of Q objects."""
    if not keys:
        return []
    table = connection.ops.quote_name(model._meta.db_table)
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    cols = ", ".join(connection.ops.quote_name(by_attname[f].column) for f in fields)
    key_cols = [connection.ops.quote_name(by_attname[f].column) for f in key_fields]
    out: list[tuple] = []
    with connection.cursor() as cursor:
        for start in range(0, len(keys), chunk):
            part = keys[start:start + chunk]
            if len(key_fields) == 1:
                sql = f"SELECT {cols} FROM {table} WHERE {key_cols[0]} IN ({', '.join(['%s'] * len(part))})"
                params = [k[0] for k in part]
            else:
                # A join with a VALUES list (not "(a, b, c) IN (VALUES …)", which SQLite answers
                # with a scan of the whole index) probes the unique index once per key.
                one = "(" + ", ".join(["%s"] * len(key_fields)) + ")"
                aliases = [f"k{i}" for i in range(len(key_fields))]
                on = " AND ".join(f"t.{c} = v.{a}" for c, a in zip(key_cols, aliases))
                tcols = ", ".join(f"t.{connection.ops.quote_name(by_attname[f].column)}" for f in fields)
                sql = (f"WITH v({', '.join(aliases)}) AS (VALUES {', '.join([one] * len(part))}) "
                       f"SELECT {tcols} FROM v JOIN {table} t ON {on}")
                params = [v for k in part for v in k]
            cursor.execute(sql, params)
            out.extend(cursor.fetchall())
    return out
