"""Logging filter that keeps ID numbers and mobile numbers out of every log line.

Attached to every handler in settings.LOGGING. Masks 18-character resident ID numbers
(``\\d{17}[\\dXx]``) and mainland mobile numbers (``1[3-9]\\d{9}``) in the message, its
arguments and a formatted traceback.
"""

from __future__ import annotations

import logging
import re

ID_PATTERN = re.compile(r"(?<![0-9])([0-9]{6})[0-9]{8}([0-9]{3}[0-9Xx])(?![0-9])")
PHONE_PATTERN = re.compile(r"(?<![0-9])(1[3-9][0-9])[0-9]{4}([0-9]{4})(?![0-9])")


def mask_sensitive(text: str) -> str:
    text = ID_PATTERN.sub(lambda m: f"{m.group(1)}********{m.group(2)}", text)
    return PHONE_PATTERN.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)


class MaskPersonalDataFilter(logging.Filter):
    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not lose the record
            message = str(record.msg)
        masked = mask_sensitive(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_sensitive(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_sensitive(record.stack_info)
        return True
