"""Re-encrypt every encrypted column with the first key of FIELD_ENCRYPTION_KEY.

Key rotation (docs/security.md): put the new key first in FIELD_ENCRYPTION_KEY
(``new,old``), restart, run this command, then drop the old key. Tokens are rotated in the
database directly (MultiFernet.rotate on the stored token), in batches, so no model ``save()``
runs: no history rows, no version bump, and the plain value never leaves this process.
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connections, router, transaction

from canghzou_portal.crypto import EncryptedCharField, fernet


def encrypted_columns():
    """(model, field) for every EncryptedCharField of every installed model (history tables included)."""
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedCharField):
                yield model, field


def rotate_column(model, field, *, batch_size: int = 1000) -> int:
    alias = router.db_for_write(model)
    connection = connections[alias]
    quote = connection.ops.quote_name
    table, column, pk = quote(model._meta.db_table), quote(field.column), quote(model._meta.pk.column)
    multi = fernet()
    rotated = 0
    last = None
    while True:
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            where = f"WHERE {column} IS NOT NULL AND {column} <> ''"
            params: list = []
            if last is not None:
                where += f" AND {pk} > %s"
                params.append(last)
            cursor.execute(f"SELECT {pk}, {column} FROM {table} {where} ORDER BY {pk} LIMIT %s", [*params, batch_size])  # noqa: S608
            rows = cursor.fetchall()
            if not rows:
                return rotated
            updates = [(multi.rotate(token.encode()).decode(), key) for key, token in rows]
            cursor.executemany(f"UPDATE {table} SET {column} = %s WHERE {pk} = %s", updates)  # noqa: S608
            rotated += len(updates)
            last = rows[-1][0]


class Command(BaseCommand):
    help = "用 FIELD_ENCRYPTION_KEY 中的第一个密钥重新加密所有加密字段（密钥轮换）。"

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000, help="每批重新加密的行数（正整数）")

    def handle(self, *args, **options):
        if options["batch_size"] < 1:
            raise CommandError("--batch-size 须为正整数，例如 1000")
        total = 0
        for model, field in encrypted_columns():
            count = rotate_column(model, field, batch_size=options["batch_size"])
            total += count
            self.stdout.write(f"{model._meta.label}.{field.name}: {count} 条已重新加密")
        self.stdout.write(f"完成：共 {total} 条。确认无误后可从 FIELD_ENCRYPTION_KEY 中删除旧密钥。")
