"""Check encryption at rest: every stored token decrypts with the configured keys, how many are
still under an older key (rotation progress), and that no column holds a plain number.

    manage.py check_encryption     # exit status 1 when a token cannot be decrypted or a plain value is found
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections, router

from canghzou_portal.crypto import fernet

from .rotate_encryption_key import encrypted_columns


class Command(BaseCommand):
    help = "检查加密字段：能否用当前密钥解密、仍使用旧密钥的条数、是否有明文。"

    def handle(self, *args, **options):
        first = Fernet(settings.FIELD_ENCRYPTION_KEY.split(",")[0].strip().encode())
        multi = fernet()
        problems = 0
        for model, field in encrypted_columns():
            alias = router.db_for_read(model)
            quote = connections[alias].ops.quote_name
            table, column = quote(model._meta.db_table), quote(field.column)
            total = old_key = bad = 0
            with connections[alias].cursor() as cursor:
                cursor.execute(f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL AND {column} <> ''")  # noqa: S608
                for (token,) in cursor:
                    total += 1
                    raw = token.encode()
                    try:
                        first.decrypt(raw)
                        continue
                    except InvalidToken:
                        pass
                    try:
                        multi.decrypt(raw)
                        old_key += 1
                    except InvalidToken:
                        bad += 1
            problems += bad
            self.stdout.write(
                f"{model._meta.label}.{field.name}: 共 {total} 条，旧密钥 {old_key} 条，无法解密（或为明文） {bad} 条"
            )
        if problems:
            raise CommandError(f"有 {problems} 条加密字段无法用当前密钥解密或为明文，请检查 FIELD_ENCRYPTION_KEY。")
        self.stdout.write("加密字段检查通过。")
