"""Writing the registry: new veterans and their "+" history rows, all in one transaction.

PostgreSQL: rows go in with COPY (Django's bulk_create spent ~300 µs per row preparing values
field by field) and their history rows are made by the database from them (INSERT … SELECT), so
each row crosses the wire once; psycopg's queued writer sends from a thread of its own, so
PostgreSQL stores rows while Python is still preparing the next ones. Other databases:
simple-history's ``bulk_create_with_history``. ``bulk_insert_with_history`` is also what
seed_demo uses.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone
from psycopg.copy import QueuedLibpqWriter

from canghzou_portal.crypto import EncryptedCharField, encrypt

from ..models import Veteran

BATCH = 1000

_FIELDS = Veteran._meta.concrete_fields
COPY_SQL = "COPY {} ({}) FROM STDIN".format(
    Veteran._meta.db_table, ", ".join(f'"{f.column}"' for f in _FIELDS)
)  # fmt: skip
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"


def _copy_text(value) -> str:
    return NULL if value is None else value.translate(_COPY_ESCAPES)  # choices enums are str subclasses


def _copy_date(value) -> str:
    return NULL if value is None else value.isoformat()  # dates and aware datetimes


def _copy_int(value) -> str:
    return NULL if value is None else str(int(value))


def _copy_bool(value) -> str:
    return "t" if value else "f"


def _copy_encrypted(value) -> str:
    return encrypt(value) if value else NULL if value is None else ""


def _copy_format(f) -> object:
    """How one field's value is written in COPY's text format (NULL is ``\\N``; backslash, tab and
    line breaks escaped), chosen once per field rather than per value."""
    if isinstance(f, EncryptedCharField):
        return _copy_encrypted
    kind = f.get_internal_type()
    if kind == "BooleanField":
        return _copy_bool
    if kind in ("DateField", "DateTimeField"):
        return _copy_date
    if kind.endswith(("IntegerField", "AutoField")) or (
        f.is_relation and f.target_field.get_internal_type().endswith(("IntegerField", "AutoField"))
    ):
        return _copy_int
    if kind in ("CharField", "TextField") or f.is_relation:
        return _copy_text
    raise TypeError(f"no COPY format for {f.name} ({kind})")


_COPY_FORMATS = tuple((f.attname, _copy_format(f)) for f in _FIELDS)


def copy_line(vet: Veteran) -> str:
    """The COPY text line of a prepared veteran (ID and phone numbers encrypted here)."""
    d = vet.__dict__
    return "\t".join([fmt(d[a]) for a, fmt in _COPY_FORMATS]) + "\n"


def draw_ids(raw_cursor, count: int) -> list[int]:
    raw_cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
        [Veteran._meta.db_table, count],
    )
    return [r[0] for r in raw_cursor.fetchall()]


def insert_history(raw_cursor, ids: list[int], *, user_id, reason: str, now) -> None:
    """The "+" history row of every new veteran, copied by the database from the rows just written
    (the same columns simple-history's ``bulk_create_with_history`` fills)."""
    history = Veteran.history.model
    own = {"history_id", "history_date", "history_change_reason", "history_type", "history_user_id"}
    copied = [f.column for f in history._meta.concrete_fields if f.attname not in own]
    columns = ", ".join(f'"{c}"' for c in copied)
    raw_cursor.execute(
        f'INSERT INTO "{history._meta.db_table}" ({columns}, "history_date", "history_change_reason", '  # noqa: S608
        f'"history_type", "history_user_id") SELECT {columns}, %s, %s, %s, %s '
        f'FROM "{Veteran._meta.db_table}" WHERE "id" = ANY(%s)',
        [now, reason, "+", user_id, ids],
    )


def bulk_insert_with_history(veterans: list[Veteran], *, user, reason: str) -> int:
    """Save prepared veterans (``prepare_derived_fields`` done) in one transaction, each with its
    history row ("+", ``user``, ``reason``). Sets their primary keys. Used by seed_demo and by
    the import on databases other than PostgreSQL."""
    now = timezone.now()
    for vet in veterans:
        vet.created_at = vet.updated_at = now
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.wrap_database_errors, connection.cursor() as cursor:
                raw = cursor.cursor
                ids = draw_ids(raw, len(veterans))
                with raw.copy(COPY_SQL, writer=QueuedLibpqWriter(raw)) as copy:
                    for vet, pk in zip(veterans, ids, strict=True):
                        vet.pk = pk
                        copy.write(copy_line(vet))
                insert_history(raw, ids, user_id=getattr(user, "pk", None), reason=reason, now=now)
            for vet in veterans:
                vet._state.adding = False
        else:
            from simple_history.utils import bulk_create_with_history

            for start in range(0, len(veterans), BATCH):
                bulk_create_with_history(
                    veterans[start : start + BATCH],
                    Veteran,
                    batch_size=BATCH,
                    default_user=user if getattr(user, "pk", None) is not None else None,
                    default_change_reason=reason,
                    default_date=now,
                )
    return len(veterans)
