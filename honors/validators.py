"""Checks of uploaded nomination attachments: size and real content type (magic bytes)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024

# kind -> (magic prefix, accepted file-name extensions)
SIGNATURES = {
    "pdf": (b"%PDF-", (".pdf",)),
    "jpg": (b"\xff\xd8\xff", (".jpg", ".jpeg")),
    "png": (b"\x89PNG\r\n\x1a\n", (".png",)),
}


def detect_kind(head: bytes) -> str | None:
    for kind, (magic, _exts) in SIGNATURES.items():
        if head.startswith(magic):
            return kind
    return None


def validate_attachment(upload) -> str:
    """Return the detected kind (pdf/jpg/png) or raise a ValidationError in Chinese."""
    if upload is None:
        raise ValidationError("请选择要上传的附件")
    name = getattr(upload, "name", "") or ""
    size = getattr(upload, "size", None) or 0
    if size == 0:
        raise ValidationError(f"附件“{name}”是空文件")
    if size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(f"附件“{name}”大小为 {size / 1024 / 1024:.1f} MB，超过 5 MB 的上限")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = detect_kind(head)
    if kind is None:
        raise ValidationError(f"附件“{name}”的内容不是 PDF、JPG 或 PNG 文件，只能上传这三种格式")
    if not name.lower().endswith(SIGNATURES[kind][1]):
        raise ValidationError(f"附件“{name}”的扩展名与文件内容（{kind.upper()}）不符")
    return kind
