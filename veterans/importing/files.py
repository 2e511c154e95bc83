"""File safety: what an uploaded spreadsheet must be before anything reads its cells.

``read_upload`` takes at most the size cap (``PORTAL_IMPORT_MAX_BYTES``) and decides the type by
the content, not the name: a real .xlsx (a zip with ``[Content_Types].xml`` and a workbook, no VBA
project or macro-enabled content type, not encrypted) or a UTF-8/GBK text file (.csv). An .xlsx
is refused when it could be a zip bomb (total uncompressed size, compression ratio, number of
parts) or when any XML part declares a DTD (and so possibly entities).
"""

from __future__ import annotations

import io
import zipfile

from django.conf import settings

from .report import ImportFileError

# Zip-bomb guard: an .xlsx whose parts inflate beyond this, or far beyond their packed size, is refused.
MAX_UNZIPPED_BYTES = 400 * 1024 * 1024
MAX_RATIO = 200
MAX_ZIP_MEMBERS = 2000
MACRO_MARKERS = (b"macroenabled", b"vbaproject", b"vbadata", b"activex")


def read_upload(file_obj, filename: str = "") -> tuple[bytes, str]:
    """Read at most the size cap and decide the type from the content: ``("xlsx"|"csv")``."""
    cap = int(getattr(settings, "PORTAL_IMPORT_MAX_BYTES", 30 * 1024 * 1024))
    if hasattr(file_obj, "seek"):
        try:
            file_obj.seek(0)
        except (OSError, ValueError):
            pass
    data = file_obj.read(cap + 1)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > cap:
        raise ImportFileError(f"文件超过大小上限（{cap / 1024 / 1024:.0f} MB），请拆分后分批导入")
    if not data.strip():
        raise ImportFileError("文件是空的")
    if data[:4] == b"PK\x03\x04":
        check_xlsx_package(data)
        return data, "xlsx"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportFileError("不支持旧版 .xls 或加密的工作簿，请在 Excel 中另存为 .xlsx（Excel 工作簿）后再导入")
    if b"\x00" in data[:65536]:
        raise ImportFileError("文件不是 .xlsx 工作簿，也不是 CSV 文本文件，无法导入")
    return data, "csv"


def check_xlsx_package(data: bytes) -> None:
    """Refuse anything but a plain, macro-free .xlsx whose parts inflate to a sane size."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportFileError("文件已损坏或不是有效的 .xlsx 工作簿") from None
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/workbook") for n in names):
        raise ImportFileError("文件不是有效的 .xlsx 工作簿（缺少工作簿内容），请用 Excel 或 WPS 另存为 .xlsx")
    if len(infos) > MAX_ZIP_MEMBERS:
        raise ImportFileError("工作簿结构异常（包含的部件过多），拒绝导入")
    total = 0
    for info in infos:
        lower = info.filename.lower()
        if "vbaproject" in lower or lower.endswith((".bin",)) and "vba" in lower or "activex" in lower:
            raise ImportFileError("文件含有宏或控件（启用宏的工作簿，如 .xlsm），出于安全原因拒绝导入，请另存为 .xlsx")
        if info.flag_bits & 0x1:
            raise ImportFileError("工作簿已加密，请取消密码保护后再导入")
        total += info.file_size
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ImportFileError("工作簿压缩比异常（疑似压缩炸弹），拒绝导入")
    if total > MAX_UNZIPPED_BYTES:
        raise ImportFileError("工作簿解压后过大（疑似压缩炸弹），请拆分后分批导入")
    content_types = archive.read("[Content_Types].xml").lower()
    if any(marker in content_types for marker in MACRO_MARKERS):
        raise ImportFileError("文件含有宏（启用宏的工作簿，如 .xlsm），出于安全原因拒绝导入，请另存为 .xlsx")
    # A DTD (and so any entity) can only sit in the prolog: look at the head of every XML part.
    # (calamine's XML reader does not expand declared entities either; this gives the clear message.)
    for info in infos:
        if info.filename.lower().endswith((".xml", ".rels", ".vml")):
            with archive.open(info) as part:
                unsafe = _declares_dtd(part.read(PROLOG_LIMIT))
            if unsafe:
                raise ImportFileError("工作簿含有不安全的 XML 声明（DTD/实体），拒绝导入")


PROLOG_LIMIT = 64 * 1024


def _declares_dtd(head: bytes) -> bool:
    """Whether an XML part declares a DTD (and so possibly entities). A DTD can only stand in the
    prolog, before the root element: walk the prolog (XML declaration, comments, processing
    instructions) and look. A prolog longer than ``PROLOG_LIMIT`` counts as unsafe."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode()
    head = head.removeprefix(b"\xef\xbb\xbf")
    pos, size = 0, len(head)
    while True:
        while pos < size and head[pos] in b" \t\r\n":
            pos += 1
        if head.startswith(b"<?", pos):
            end, skip = head.find(b"?>", pos), 2
        elif head.startswith(b"<!--", pos):
            end, skip = head.find(b"-->", pos), 3
        else:
            return head[pos : pos + 9].lower() == b"<!doctype" or (pos >= size and size >= PROLOG_LIMIT)
        if end < 0:
            return True
        pos = end + skip
