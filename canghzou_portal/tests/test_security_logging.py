"""No ID number or mobile number reaches a log line."""

from __future__ import annotations

import io
import logging

import pytest

from canghzou_portal.log_filters import MaskPersonalDataFilter, mask_sensitive
from veterans.tests.factories import make_id_number

ID_NUMBER = make_id_number("130902", "19800101", 123)


def test_mask_sensitive():
    x_id = make_id_number("130903", "19751231", 10)
    assert (
        mask_sensitive(f"证件 {ID_NUMBER} 电话 13912345678。")
        == "证件 130902********" + ID_NUMBER[-4:] + " 电话 139****5678。"
    )
    assert "1309031975" not in mask_sensitive(x_id.replace(x_id[-1], "X"))
    assert mask_sensitive("订单 20261129123456789012 号") == "订单 20261129123456789012 号"  # 20 digits: not an ID
    assert mask_sensitive("座机 0317-1234567") == "座机 0317-1234567"


def _configured_handlers():
    from django.conf import settings

    names = set(settings.LOGGING["handlers"])
    return [h for h in logging.getLogger().handlers if h.get_name() in names]


@pytest.fixture
def captured():
    """The handlers configured by settings.LOGGING, writing into a buffer."""
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)  # as Django does at start-up (other tests may reconfigure)
    handlers = _configured_handlers()
    assert handlers, "settings.LOGGING configures a console handler"
    buffer = io.StringIO()
    old = [h.setStream(buffer) for h in handlers]
    yield buffer
    for handler, stream in zip(handlers, old, strict=True):
        handler.setStream(stream)


def test_every_configured_handler_masks(captured):
    for handler in _configured_handlers():
        assert any(isinstance(f, MaskPersonalDataFilter) for f in handler.filters)
    logger = logging.getLogger("veterans.some_module")
    logger.warning("import row failed: %s phone %s", ID_NUMBER, "13912345678")
    logger.warning("lookup of %(number)s", {"number": ID_NUMBER})
    try:
        raise ValueError(f"身份证号 {ID_NUMBER} 重复")
    except ValueError:
        logger.exception("import failed")
    text = captured.getvalue()
    assert ID_NUMBER not in text and "13912345678" not in text
    assert "130902********" in text and "139****5678" in text and "Traceback" in text


def test_a_broken_format_string_still_logs(captured):
    logging.getLogger("x").warning("bad %d format", "text", ID_NUMBER)
    assert ID_NUMBER not in captured.getvalue()
