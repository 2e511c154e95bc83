"""Encryption at rest: the raw tables hold no plain ID or phone number; keys rotate."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from canghzou_portal import crypto
from veterans.models import Veteran
from veterans.tests.factories import VeteranFactory, make_id_number

pytestmark = pytest.mark.django_db

ID_NUMBER = make_id_number("130902", "19800101", 123)
PHONE = "13912345678"


def _raw_rows(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
        return [" ".join(str(value) for value in row) for row in cursor.fetchall()]


def _raw_value(column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM veterans_veteran WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_raw_tables_hold_no_plain_numbers(world):
    veteran = VeteranFactory(station=world["villageA1a"], id_number=ID_NUMBER, phone=PHONE)
    veteran.phone = "13812349876"
    veteran.save()  # a history row too
    for table in ("veterans_veteran", "veterans_historicalveteran"):
        rows = _raw_rows(table)
        assert rows, table
        for row in rows:
            assert ID_NUMBER not in row and PHONE not in row and "13812349876" not in row
            assert ID_NUMBER[-8:] not in row  # not even a fragment
    token = _raw_value("id_number", veteran.pk)
    assert token.startswith("gAAAAA")  # a Fernet token
    assert crypto.decrypt(token) == ID_NUMBER


def test_blind_index_finds_the_full_number_only(world):
    veteran = VeteranFactory(station=world["villageA1a"], id_number=ID_NUMBER, phone=PHONE)
    assert Veteran.objects.by_id_number(ID_NUMBER).get() == veteran
    assert Veteran.objects.by_phone(PHONE).get() == veteran
    assert not Veteran.objects.by_id_number(ID_NUMBER[:17]).exists()
    assert _raw_value("id_number_hash", veteran.pk) == crypto.blind_index(ID_NUMBER)


def test_key_rotation_re_encrypts_with_the_new_key(world, settings):
    old_key = settings.FIELD_ENCRYPTION_KEY
    veteran = VeteranFactory(station=world["villageA1a"], id_number=ID_NUMBER, phone=PHONE)
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEY = f"{new_key},{old_key}"
    call_command("rotate_encryption_key", "--batch-size", "1")
    token = _raw_value("id_number", veteran.pk)
    assert Fernet(new_key.encode()).decrypt(token.encode()).decode() == ID_NUMBER
    settings.FIELD_ENCRYPTION_KEY = new_key  # the old key can go
    assert Veteran.objects.get(pk=veteran.pk).id_number == ID_NUMBER
    assert Veteran.objects.get(pk=veteran.pk).phone == PHONE


def test_wrong_key_never_shows_the_token(world, settings):
    veteran = VeteranFactory(station=world["villageA1a"], id_number=ID_NUMBER)
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    with pytest.raises(ValueError, match="密钥不匹配"):
        Veteran.objects.get(pk=veteran.pk)


def test_check_encryption_reports_old_keys_and_plain_values(world, settings, capsys):
    from django.core.management.base import CommandError

    old_key = settings.FIELD_ENCRYPTION_KEY
    veteran = VeteranFactory(station=world["villageA1a"], id_number=ID_NUMBER, phone=PHONE)
    settings.FIELD_ENCRYPTION_KEY = f"{Fernet.generate_key().decode()},{old_key}"
    call_command("check_encryption")
    assert "veterans.Veteran.id_number: 共 1 条，旧密钥 1 条，无法解密（或为明文） 0 条" in capsys.readouterr().out
    with connection.cursor() as cursor:  # simulate a plain number written behind the application's back
        cursor.execute("UPDATE veterans_veteran SET phone = %s WHERE id = %s", [PHONE, veteran.pk])
    with pytest.raises(CommandError, match="无法用当前密钥解密或为明文"):
        call_command("check_encryption")
