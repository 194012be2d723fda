"""Checks and renditions for uploaded images: a real image, within limits, re-encoded without metadata.

Nothing of the uploaded file is kept but its pixels. The bytes must decode as a JPEG, PNG, WebP or GIF image
(Pillow decides, not the file's name or declared type), so SVG, HTML and other documents that call themselves
images are refused, and so are truncated files. The size in bytes is checked before reading, the dimensions
before decoding (a small file can unpack to billions of pixels). The pixels are then turned upright as the
camera's orientation tag says, converted to sRGB, and written to a new file whose name we make up: EXIF
(with any GPS position), XMP, comments, text chunks, colour profiles and whatever followed the image data
(an appended script, say) are all left behind.
"""

import io
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from ..core.errors import InvalidInput

# MPO is what many phones write: a JPEG with extra frames (a depth map, a preview); its first frame is the photo.
ALLOWED_FORMATS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
_UNREADABLE = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError)
_SRGB = ImageCms.createProfile("sRGB")


def _shown(name: str | None) -> str:
    """The person's file name as it may appear in a message (the page escapes it; this only keeps it short)."""
    name = " ".join((name or "").split()) or "image"
    return name if len(name) <= 80 else name[:79] + "…"


def _limits_message() -> str:
    return (f"Images may be at most {settings.KURE_MAX_IMAGE_BYTES // (1024 * 1024)} MB, "
            f"{settings.KURE_MAX_IMAGE_PIXELS:,} pixels in all and {settings.KURE_MAX_IMAGE_SIDE:,} pixels "
            "on their longer side.")


def open_checked(upload: UploadedFile) -> Image.Image:
    """Open an upload as an image, or raise ``InvalidInput`` saying what is wrong with it.

    The image returned is decoded, upright, and carries nothing of the file but its pixels' meaning.
    """
    name, max_bytes = _shown(upload.name), settings.KURE_MAX_IMAGE_BYTES
    if upload.size and upload.size > max_bytes:
        raise InvalidInput(f"“{name}” is too large. " + _limits_message())
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InvalidInput(f"“{name}” is too large. " + _limits_message())
    if not data:
        raise InvalidInput(f"“{name}” is empty.")
    unreadable = f"“{name}” is not an image we can read (JPEG, PNG, WebP or GIF)."
    try:
        probe = Image.open(io.BytesIO(data))
        if probe.format not in ALLOWED_FORMATS:
            raise InvalidInput(f"“{name}” is a {probe.format} image; use JPEG, PNG, WebP or GIF.")
        width, height = probe.size
        if width * height > settings.KURE_MAX_IMAGE_PIXELS or max(width, height) > settings.KURE_MAX_IMAGE_SIDE:
            raise InvalidInput(f"“{name}” is {width}×{height} pixels. " + _limits_message())
        probe.verify()  # checksums and structure, without decoding; the image must be opened again afterwards
        image = Image.open(io.BytesIO(data))
        image.load()  # decodes the pixels: a truncated file fails here
        return _upright_srgb(image)
    except InvalidInput:
        raise
    except Image.DecompressionBombError as exc:  # Pillow's own ceiling, far above ours, met while opening
        raise InvalidInput(f"“{name}” has far too many pixels. " + _limits_message()) from exc
    except _UNREADABLE as exc:
        raise InvalidInput(unreadable) from exc


def _upright_srgb(image: Image.Image) -> Image.Image:
    """Apply the orientation tag to the pixels, and bring colours in another profile to sRGB."""
    image = ImageOps.exif_transpose(image) or image
    profile = image.info.get("icc_profile")
    if profile and image.mode in {"RGB", "RGBA", "CMYK", "L"}:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            output = "RGBA" if image.mode == "RGBA" else "RGB"
            image = ImageCms.profileToProfile(image, source, _SRGB, outputMode=output) or image
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # an unusable profile: the pixels are kept as they are, and the profile is dropped below
    return image


def generated_name(suffix: str) -> str:
    """A stored file's name: made up here, never the uploader's (which may say more than the picture does)."""
    return f"{secrets.token_hex(8)}.{suffix}"


def encode(image: Image.Image, *, max_width: int | None = None) -> tuple[bytes, str]:
    """Re-encode the pixels alone, optionally scaled down to ``max_width``: PNG where there is transparency or a
    palette, JPEG otherwise."""
    image = image.copy()
    if max_width and image.width > max_width:
        image.thumbnail((max_width, max_width * 10))
    transparent = "A" in image.getbands() or "transparency" in image.info
    if image.mode == "P" or transparent:
        image = image.convert("RGBA")
        fmt, suffix, options = "PNG", "png", {"optimize": True}
    else:
        image = image.convert("RGB")
        fmt, suffix, options = "JPEG", "jpg", {"quality": 85, "optimize": True}
    # Pillow writes some of ``info`` back out (a JPEG's comment, for one): nothing of the upload may travel on.
    image.info = {}
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue(), suffix


def sanitised_upload(upload: UploadedFile, *, max_width: int | None = None) -> tuple[ContentFile, Image.Image]:
    image = open_checked(upload)
    try:
        data, suffix = encode(image, max_width=max_width)
    except _UNREADABLE as exc:  # a mode Pillow decodes but cannot convert: refused like any unreadable file
        raise InvalidInput(f"“{_shown(upload.name)}” is not an image we can read (JPEG, PNG, WebP or GIF).") from exc
    return ContentFile(data, name=generated_name(suffix)), image
