import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from honors.validators import MAX_ATTACHMENT_BYTES, validate_attachment

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * 32


@pytest.mark.parametrize(
    ("name", "content", "kind"), [("证明.pdf", PDF, "pdf"), ("照片.PNG", PNG, "png"), ("a.jpeg", JPG, "jpg")]
)
def test_accepts_pdf_png_jpg_by_content(name, content, kind):
    assert validate_attachment(SimpleUploadedFile(name, content)) == kind


def test_rejects_renamed_executable():
    with pytest.raises(ValidationError, match="不是 PDF、JPG 或 PNG"):
        validate_attachment(SimpleUploadedFile("证明.pdf", b"MZ\x90\x00" + b"\x00" * 60))


def test_rejects_html_disguised_as_png():
    with pytest.raises(ValidationError, match="不是 PDF、JPG 或 PNG"):
        validate_attachment(SimpleUploadedFile("x.png", b"<html><script>alert(1)</script></html>"))


def test_rejects_extension_mismatch():
    with pytest.raises(ValidationError, match="扩展名与文件内容（PDF）不符"):
        validate_attachment(SimpleUploadedFile("证明.png", PDF))


def test_rejects_too_large():
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * MAX_ATTACHMENT_BYTES)
    with pytest.raises(ValidationError, match="超过 5 MB"):
        validate_attachment(big)


def test_accepts_exactly_five_megabytes():
    exact = SimpleUploadedFile("ok.pdf", PDF + b"0" * (MAX_ATTACHMENT_BYTES - len(PDF)))
    assert validate_attachment(exact) == "pdf"


def test_rejects_empty():
    with pytest.raises(ValidationError, match="空文件"):
        validate_attachment(SimpleUploadedFile("e.pdf", b""))
