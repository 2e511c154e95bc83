"""Password rules (issue 15, point 10: every message in Chinese)."""

import pytest
from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
from django.core.exceptions import ValidationError
from django.utils import translation

from conftest import PASSWORD


@pytest.mark.parametrize("language", ["zh-hans", None])
def test_too_short_password_is_refused_in_chinese(language):
    with translation.override(language), pytest.raises(ValidationError) as exc:
        validate_password("Ab1!short")
    assert exc.value.messages == ["密码太短，至少需要 10 个字符"]
    assert all("password" not in text.lower() for text in password_validators_help_texts())


def test_every_rule_answers_in_chinese():
    with translation.override("zh-hans"):
        for weak in ("Ab1!", "12345678901234", "password1234"):
            with pytest.raises(ValidationError) as exc:
                validate_password(weak)
            for message in exc.value.messages:
                assert not any("a" <= ch.lower() <= "z" for ch in message), message


def test_a_good_password_passes():
    validate_password(PASSWORD)
