"""Password rules beyond Django's built-ins: at least three character classes, and the length
rule with its message in Chinese."""

import re

from django.contrib.auth.password_validation import MinimumLengthValidator as DjangoMinimumLengthValidator
from django.core.exceptions import ValidationError


class CharacterClassesValidator:
    """Require at least ``min_classes`` of: lower case, upper case, digits, symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        classes = [r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]"]
        found = sum(1 for pattern in classes if re.search(pattern, password))
        if found < self.min_classes:
            raise ValidationError("密码须包含小写字母、大写字母、数字、符号中的至少三类", code="password_classes")

    def get_help_text(self):
        return "密码须包含小写字母、大写字母、数字、符号中的至少三类。"


class MinimumLengthValidator(DjangoMinimumLengthValidator):
    """Django's length rule. Django 5.2 changed the English text of its error (``%d`` instead of
    ``%(min_length)d``) and the zh-hans catalogue still carries the old one, so the message was
    shown in English; it is written here in Chinese."""

    def get_error_message(self):
        return f"密码太短，至少需要 {self.min_length} 个字符"

    def get_help_text(self):
        return f"密码至少 {self.min_length} 个字符。"
