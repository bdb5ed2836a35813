"""Upload checks shared by every form that accepts files (SPEC §14).

* The type is decided from the file's bytes (``filetype``), never from its name or the browser's
  Content-Type header.
* Sizes are capped by ``MAX_IMAGE_UPLOAD_BYTES`` / ``MAX_VIDEO_UPLOAD_BYTES``.
* Images are decoded and re-encoded with Pillow: metadata (EXIF, GPS, ICC comments) is dropped,
  dimensions are limited, and decompression bombs are refused before they are decoded.
* Videos are accepted only as MP4 or WebM containers, and the container's structure is walked,
  not only its first bytes: an MP4's boxes must chain exactly to the end of the file with an
  ``ftyp`` first and a ``moov``; a WebM must open with a complete EBML header declaring ``webm``
  followed by its Segment. A valid header glued to anything else is refused.
"""

from __future__ import annotations

import io
import uuid
import warnings
from dataclasses import dataclass
from typing import IO, Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

# Formats we accept, keyed by the MIME type ``filetype`` detects from content.
IMAGE_FORMATS = {"image/jpeg": ("JPEG", "jpg"), "image/png": ("PNG", "png"), "image/webp": ("WEBP", "webp")}
VIDEO_FORMATS = {"video/mp4": "mp4", "video/webm": "webm"}
MAX_IMAGE_SIDE = 1024  # avatars are shown at most ~200 px; 1024 leaves room for HiDPI
MAX_IMAGE_PIXELS = 40_000_000  # refuse anything that would decode to more than this


@dataclass(frozen=True)
class CleanUpload:
    content: ContentFile[bytes] | IO[bytes] | Any
    extension: str
    content_type: str

    def filename(self, stem: str = "") -> str:
        return f"{stem or uuid.uuid4().hex}.{self.extension}"

    def as_file(self) -> File[Any]:
        """A named File ready to assign to a FileField/ImageField (a random name, our extension)."""
        self.content.seek(0)
        return File(self.content, name=self.filename())


def _size(upload: Any) -> int:
    size = getattr(upload, "size", None)
    if size is None:
        pos = upload.tell()
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
        upload.seek(pos)
    return int(size)


def _head(upload: Any, n: int = 8192) -> bytes:
    upload.seek(0)
    head = upload.read(n)
    upload.seek(0)
    return bytes(head)


def clean_image(upload: Any, *, max_bytes: int | None = None) -> CleanUpload:
    """Validate an uploaded image and return a re-encoded copy (JPEG, PNG or WebP)."""
    limit = max_bytes if max_bytes is not None else settings.MAX_IMAGE_UPLOAD_BYTES
    if _size(upload) > limit:
        raise ValidationError(
            _("This image is too large (%(size)s). The limit is %(limit)s.")
            % {"size": filesizeformat(_size(upload)), "limit": filesizeformat(limit)},
            code="too_large",
        )
    kind = filetype.guess(_head(upload))
    if kind is None or kind.mime not in IMAGE_FORMATS:
        raise ValidationError(_("Upload a JPEG, PNG or WebP image."), code="bad_type")
    pil_format, extension = IMAGE_FORMATS[kind.mime]

    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow warns above MAX_IMAGE_PIXELS and raises above twice that; treat both as a bomb.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            old_limit = Image.MAX_IMAGE_PIXELS
            Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
            try:
                with Image.open(upload) as probe:
                    if probe.format != pil_format:
                        raise ValidationError(_("Upload a JPEG, PNG or WebP image."), code="bad_type")
                    probe.verify()
                upload.seek(0)
                with Image.open(upload) as img:
                    img.load()
                    image = ImageOps.exif_transpose(img) or img
                    image = image.copy()
            finally:
                Image.MAX_IMAGE_PIXELS = old_limit
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(_("This image's dimensions are too large."), code="bomb") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(_("This file is not a readable image."), code="corrupt") from None

    image.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
    if pil_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA")
    out = io.BytesIO()
    options: dict[str, dict[str, Any]] = {"JPEG": {"quality": 85, "optimize": True}, "PNG": {"optimize": True}}
    save_kwargs = options.get(pil_format, {"quality": 85})
    # A fresh save without exif=/icc_profile= arguments writes no metadata.
    image.save(out, format=pil_format, **save_kwargs)
    return CleanUpload(content=ContentFile(out.getvalue()), extension=extension, content_type=kind.mime)


def clean_video(upload: Any, *, max_bytes: int | None = None) -> CleanUpload:
    """Validate an uploaded intro video: MP4 or WebM by content, within the size limit."""
    limit = max_bytes if max_bytes is not None else settings.MAX_VIDEO_UPLOAD_BYTES
    size = _size(upload)
    if size > limit:
        raise ValidationError(
            _("This video is too large (%(size)s). The limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    head = _head(upload)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in VIDEO_FORMATS:
        raise ValidationError(_("Upload an MP4 or WebM video."), code="bad_type")
    intact = mp4_structure_ok(upload, size) if kind.mime == "video/mp4" else webm_header_ok(head)
    upload.seek(0)
    if not intact:
        raise ValidationError(_("This video file is damaged or not a real video."), code="corrupt")
    return CleanUpload(content=upload, extension=VIDEO_FORMATS[kind.mime], content_type=kind.mime)


# --- container structure ----------------------------------------------------------------------

_MP4_MAX_BOXES = 10_000


def mp4_structure_ok(fileobj: Any, size: int) -> bool:
    """Walk an MP4/ISO-BMFF file's top-level boxes by their headers (no payload is read): each box's
    size must be sane, the boxes must end exactly at the end of the file, the first must be
    ``ftyp``, and a ``moov`` (the index a player needs) must be among them."""
    offset = 0
    types: list[bytes] = []
    while offset < size:
        if len(types) >= _MP4_MAX_BOXES:
            return False
        fileobj.seek(offset)
        header = fileobj.read(16)
        if len(header) < 8:
            return False
        box_size, box_type = int.from_bytes(header[:4], "big"), header[4:8]
        if not all(0x20 <= c < 0x7F for c in box_type):
            return False
        if box_size == 1:  # 64-bit size follows
            if len(header) < 16:
                return False
            box_size = int.from_bytes(header[8:16], "big")
            if box_size < 16:
                return False
        elif box_size == 0:  # extends to the end of the file
            box_size = size - offset
        elif box_size < 8:
            return False
        types.append(box_type)
        offset += box_size
    return offset == size and bool(types) and types[0] == b"ftyp" and b"moov" in types


EBML_ID = 0x1A45DFA3
EBML_DOCTYPE_ID = 0x4282
MATROSKA_SEGMENT_ID = 0x18538067


def _vint(data: bytes, pos: int, *, keep_marker: bool) -> tuple[int, int] | None:
    """An EBML variable-length integer at ``pos``: (value, next position), or None if malformed."""
    if pos >= len(data) or data[pos] == 0:
        return None
    first = data[pos]
    length = 8 - first.bit_length() + 1
    if length > 8 or pos + length > len(data):
        return None
    value = first if keep_marker else first & ((1 << (8 - length)) - 1)
    for b in data[pos + 1 : pos + length]:
        value = (value << 8) | b
    return value, pos + length


def webm_header_ok(head: bytes) -> bool:
    """``head`` (the first KBs of a file) opens with a complete EBML header whose DocType is
    ``webm`` (or ``matroska``), immediately followed by a Segment element."""
    element = _vint(head, 0, keep_marker=True)
    if element is None or element[0] != EBML_ID:
        return False
    sized = _vint(head, element[1], keep_marker=False)
    if sized is None:
        return False
    header_size, pos = sized
    end = pos + header_size
    if header_size > 4096 or end > len(head):
        return False
    doctype = b""
    while pos < end:
        child = _vint(head, pos, keep_marker=True)
        child_size = _vint(head, child[1], keep_marker=False) if child else None
        if child is None or child_size is None or child_size[1] + child_size[0] > end:
            return False
        if child[0] == EBML_DOCTYPE_ID:
            doctype = head[child_size[1] : child_size[1] + child_size[0]]
        pos = child_size[1] + child_size[0]
    segment = _vint(head, end, keep_marker=True)
    return doctype.rstrip(b"\0") in (b"webm", b"matroska") and segment is not None and segment[0] == MATROSKA_SEGMENT_ID
