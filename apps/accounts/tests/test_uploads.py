from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.core.uploads import MAX_IMAGE_SIDE, clean_image, clean_video

from .conftest import jpeg_with_exif, png_bytes

# Minimal container headers: an ISO-BMFF "ftyp" box (MP4) and an EBML header with DocType "webm".
# A structurally complete MP4: ftyp, an (empty) moov and an mdat, each box's size exact.
MP4_HEAD = (
    b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    + b"\x00\x00\x00\x08moov"
    + b"\x00\x00\x00\x48mdat"
    + b"\x00" * 64
)
# EBMLVersion 1, DocType "webm", then a Segment of unknown size (as MediaRecorder writes it).
_EBML_BODY = b"\x42\x86\x81\x01\x42\x82\x84webm"
WEBM_HEAD = (
    bytes.fromhex("1a45dfa3") + bytes([0x80 | len(_EBML_BODY)]) + _EBML_BODY + bytes.fromhex("1853806701ffffffffffffff")
) + b"\x00" * 64
AVI_HEAD = b"RIFF\x00\x00\x00\x00AVI LIST" + b"\x00" * 64


def test_png_named_jpg_is_accepted_and_reencoded_as_png() -> None:
    raw = png_bytes()
    clean = clean_image(SimpleUploadedFile("holiday.jpg", raw, content_type="image/jpeg"))
    assert clean.extension == "png"
    assert clean.content_type == "image/png"
    data = clean.content.read()
    assert data != raw  # re-encoded, not the uploaded bytes
    assert Image.open(io.BytesIO(data)).size == (64, 48)


def test_text_file_named_png_is_rejected() -> None:
    upload = SimpleUploadedFile("avatar.png", b"hello, I am not an image" * 10, content_type="image/png")
    with pytest.raises(ValidationError) as exc:
        clean_image(upload)
    assert exc.value.code == "bad_type"


def test_oversized_image_is_rejected(settings) -> None:  # type: ignore[no-untyped-def]
    settings.MAX_IMAGE_UPLOAD_BYTES = 1000
    upload = SimpleUploadedFile("big.png", png_bytes((400, 400)) + b"\x00" * 2000)
    with pytest.raises(ValidationError) as exc:
        clean_image(upload)
    assert exc.value.code == "too_large"
    assert "limit" in exc.value.messages[0]


def test_metadata_is_stripped_and_size_limited() -> None:
    clean = clean_image(SimpleUploadedFile("me.jpg", jpeg_with_exif()))
    out = Image.open(io.BytesIO(clean.content.read()))
    assert out.format == "JPEG"
    assert not out.getexif()  # no EXIF survives re-encoding
    buf = io.BytesIO()
    Image.new("RGB", (3000, 1500)).save(buf, format="PNG")
    big = clean_image(SimpleUploadedFile("wide.png", buf.getvalue()), max_bytes=10_000_000)
    assert Image.open(io.BytesIO(big.content.read())).size == (MAX_IMAGE_SIDE, MAX_IMAGE_SIDE // 2)


def test_decompression_bomb_is_rejected() -> None:
    # A tiny PNG that claims 10000x10000 pixels (1e8 > our 4e7 limit).
    buf = io.BytesIO()
    Image.new("1", (10000, 10000)).save(buf, format="PNG", optimize=True)
    with pytest.raises(ValidationError) as exc:
        clean_image(SimpleUploadedFile("bomb.png", buf.getvalue()), max_bytes=10_000_000)
    assert exc.value.code == "bomb"


def test_truncated_image_is_rejected() -> None:
    with pytest.raises(ValidationError):
        clean_image(SimpleUploadedFile("cut.png", png_bytes()[:60]))


@pytest.mark.parametrize(("head", "ext"), [(MP4_HEAD, "mp4"), (WEBM_HEAD, "webm")])
def test_mp4_and_webm_accepted_by_content(head: bytes, ext: str) -> None:
    clean = clean_video(SimpleUploadedFile("intro.bin", head, content_type="application/octet-stream"))
    assert clean.extension == ext


@pytest.mark.parametrize("payload", [AVI_HEAD, png_bytes(), b"just text, named .mp4"])
def test_other_videos_and_files_rejected(payload: bytes) -> None:
    with pytest.raises(ValidationError) as exc:
        clean_video(SimpleUploadedFile("intro.mp4", payload, content_type="video/mp4"))
    assert exc.value.code == "bad_type"


@pytest.mark.parametrize(
    "payload",
    [
        MP4_HEAD[:24] + b"\x00" * 5_000,  # an MP4 header glued to anything: the boxes do not chain
        MP4_HEAD[:24] + b"\x00\x00\x00\x48mdat" + b"\x00" * 64,  # boxes chain, but no moov
        MP4_HEAD + b"junk",  # trailing bytes after the last box
        MP4_HEAD[:24] + b"\x00\x00\x00\x08mo\x00v" + MP4_HEAD[32:],  # a box type that is not text
        bytes.fromhex("1a45dfa3") + b"\x84\x42\x82\x84webm" + b"\x00" * 64,  # EBML size cuts the DocType
        WEBM_HEAD.replace(b"webm", b"avi!"),  # the header declares another document type
        WEBM_HEAD[:16] + b"\x00" * 64,  # no Segment after the header
    ],
)
def test_a_valid_header_on_a_broken_container_is_rejected(payload: bytes) -> None:
    with pytest.raises(ValidationError) as exc:
        clean_video(SimpleUploadedFile("intro.mp4", payload, content_type="video/mp4"))
    assert exc.value.code in {"corrupt", "bad_type"}


def test_oversized_video_rejected(settings) -> None:  # type: ignore[no-untyped-def]
    settings.MAX_VIDEO_UPLOAD_BYTES = 100
    with pytest.raises(ValidationError) as exc:
        clean_video(SimpleUploadedFile("intro.mp4", MP4_HEAD + b"\x00" * 200))
    assert exc.value.code == "too_large"
