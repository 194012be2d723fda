"""Checks and renditions for uploaded images: a real image, within limits, re-encoded without metadata."""

import io
from pathlib import PurePath

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, UnidentifiedImageError

from ..core.errors import InvalidInput
from ..core.text import slugify

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}


def _limits_message(max_bytes: int) -> str:
    return f"Images may be at most {max_bytes // (1024 * 1024)} MB and {settings.KURE_MAX_IMAGE_PIXELS:,} pixels."


def open_checked(upload: UploadedFile) -> Image.Image:
    """Open an upload as an image, or raise ``InvalidInput`` saying what is wrong with it."""
    if upload.size and upload.size > settings.KURE_MAX_IMAGE_BYTES:
        raise InvalidInput(f"“{upload.name}” is too large. " + _limits_message(settings.KURE_MAX_IMAGE_BYTES))
    data = upload.read()
    try:
        probe = Image.open(io.BytesIO(data))
        probe.verify()  # detects truncated and corrupt files; the image must be opened again afterwards
        image = Image.open(io.BytesIO(data))
        if image.format not in ALLOWED_FORMATS:
            raise InvalidInput(f"“{upload.name}” is a {image.format} image; use JPEG, PNG, WebP or GIF.")
        if image.width * image.height > settings.KURE_MAX_IMAGE_PIXELS:
            raise InvalidInput(f"“{upload.name}” is {image.width}×{image.height} pixels. "
                               + _limits_message(settings.KURE_MAX_IMAGE_BYTES))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise InvalidInput(f"“{upload.name}” is not an image we can read (JPEG, PNG, WebP or GIF).") from exc
    return image


def clean_name(name: str, suffix: str) -> str:
    stem = slugify(PurePath(name).stem)[:60] or "image"
    return f"{stem}.{suffix}"


def encode(image: Image.Image, *, max_width: int | None = None) -> tuple[bytes, str]:
    """Re-encode without EXIF or other metadata, optionally scaled down to ``max_width``."""
    image = image.copy()
    if max_width and image.width > max_width:
        image.thumbnail((max_width, max_width * 10))
    if image.mode in {"RGBA", "LA", "P"}:
        image = image.convert("RGBA")
        fmt, suffix = "PNG", "png"
    else:
        image = image.convert("RGB")
        fmt, suffix = "JPEG", "jpg"
    buffer = io.BytesIO()
    image.save(buffer, fmt, **({"quality": 85, "optimize": True} if fmt == "JPEG" else {"optimize": True}))
    return buffer.getvalue(), suffix


def sanitised_upload(upload: UploadedFile, *, max_width: int | None = None) -> tuple[ContentFile, Image.Image]:
    image = open_checked(upload)
    data, suffix = encode(image, max_width=max_width)
    return ContentFile(data, name=clean_name(upload.name or "image", suffix)), image
