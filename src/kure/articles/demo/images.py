"""Pictures for the demo content, drawn at load time so the repository carries no binary art.

Every picture is derived from a text key (an article slug, a username) through SHA-256, not ``hash()``,
which Python salts per process: the same demo looks the same on every machine and every run.
"""

import colorsys
import functools
import hashlib
import io
import random
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from ...core.text import upper

LEAD_SIZE = (1600, 900)
AVATAR_SIZE = 256
_DEJAVU_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")

RGB = tuple[int, int, int]


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if _DEJAVU_BOLD.exists():
        return ImageFont.truetype(str(_DEJAVU_BOLD), size)
    return ImageFont.load_default(size=size)


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


def _rng(key: str) -> random.Random:
    return random.Random(int.from_bytes(_digest(key)[:8], "big"))


def _hue(key: str) -> float:
    """The main hue, from bytes of its own: spread evenly, and independent of the shapes' random draws."""
    return int.from_bytes(_digest(key)[9:11], "big") / 65536


def _colour(hue: float, lightness: float, saturation: float) -> RGB:
    r, g, b = colorsys.hls_to_rgb(hue % 1.0, lightness, saturation)
    return int(r * 255), int(g * 255), int(b * 255)


def _gradient(size: tuple[int, int], corners: list[RGB]) -> Image.Image:
    """A smooth four-corner gradient: a 2×2 image scaled up bilinearly, far cheaper than per-pixel maths."""
    seed = Image.new("RGB", (2, 2))
    seed.putdata(corners)
    return seed.resize(size, Image.Resampling.BILINEAR)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, max_width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and draw.textlength(candidate, font=font) <= max_width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines


# Drawing is the slow part of a load (about 0.15 s a picture): repeated loads in one process, as in the
# tests, reuse the bytes. They are immutable and depend only on the arguments.
@functools.lru_cache(maxsize=64)
def lead_image(*, key: str, title: str) -> bytes:
    """A 1600×900 JPEG: an abstract composition in colours taken from ``key``, with ``title`` set large."""
    rng = _rng(key)
    width, height = LEAD_SIZE
    hue = _hue(key)
    corners = [_colour(hue + rng.uniform(-0.08, 0.08), rng.uniform(0.18, 0.45), rng.uniform(0.45, 0.8))
               for _ in range(4)]
    canvas = _gradient(LEAD_SIZE, corners).convert("RGBA")

    # Soft translucent shapes, blurred together, then a few crisp rings and lines on top for depth.
    shapes = Image.new("RGBA", LEAD_SIZE, (0, 0, 0, 0))
    draw = ImageDraw.Draw(shapes)
    for _ in range(rng.randint(9, 14)):
        fill = (*_colour(hue + rng.choice([0.0, 0.08, 0.5, -0.1]), rng.uniform(0.4, 0.75), 0.7),
                rng.randint(50, 120))
        x, y, r = rng.randint(-200, width), rng.randint(-200, height), rng.randint(80, 420)
        if rng.random() < 0.6:
            draw.ellipse((x - r, y - r, x + r, y + r), fill=fill)
        else:
            points = [(x + rng.randint(-r, r), y + rng.randint(-r, r)) for _ in range(rng.randint(3, 5))]
            draw.polygon(points, fill=fill)
    canvas.alpha_composite(shapes.filter(ImageFilter.GaussianBlur(18)))
    lines_layer = Image.new("RGBA", LEAD_SIZE, (0, 0, 0, 0))
    draw = ImageDraw.Draw(lines_layer)
    for _ in range(rng.randint(2, 4)):
        x, y, r = rng.randint(0, width), rng.randint(0, height), rng.randint(120, 520)
        draw.ellipse((x - r, y - r, x + r, y + r), outline=(255, 255, 255, 70), width=rng.randint(2, 6))
    for _ in range(rng.randint(3, 6)):
        y0 = rng.randint(0, height)
        draw.line((0, y0, width, y0 + rng.randint(-300, 300)), fill=(255, 255, 255, 45), width=2)
    canvas.alpha_composite(lines_layer)

    # A darker band under the title keeps white text legible whatever colours the key produced.
    shade = Image.new("L", (1, 256))
    shade.putdata([int(200 * (i / 255) ** 1.6) for i in range(256)])
    shade = shade.resize((width, height // 2))
    band = Image.new("RGBA", (width, height // 2), (10, 12, 20, 0))
    band.putalpha(shade)
    canvas.alpha_composite(band, (0, height - height // 2))

    draw = ImageDraw.Draw(canvas)
    margin = 90
    size, font, lines = 112, _font(112), [title]
    while size > 40:
        font = _font(size)
        lines = _wrap(draw, title, font, width - 2 * margin)
        if len(lines) <= 3 and all(draw.textlength(line, font=font) <= width - 2 * margin for line in lines):
            break
        size -= 6
    line_height = int(size * 1.18)
    y = height - margin - line_height * len(lines)
    for line in lines:
        draw.text((margin + 3, y + 4), line, font=font, fill=(0, 0, 0, 140))
        draw.text((margin, y), line, font=font, fill=(255, 255, 255, 255))
        y += line_height
    draw.text((margin, margin - 20), "KÜRE", font=_font(34), fill=(255, 255, 255, 200))
    draw.line((margin, margin + 28, margin + 120, margin + 28), fill=(255, 255, 255, 200), width=4)

    buffer = io.BytesIO()
    canvas.convert("RGB").save(buffer, "JPEG", quality=88)
    return buffer.getvalue()


def initials(full_name: str) -> str:
    """Up to two initials, upper-cased by Turkish rules (``işık`` → ``İ``)."""
    return upper("".join(part[0] for part in full_name.split()[:2]), "tr") or "?"


@functools.lru_cache(maxsize=64)
def avatar_image(*, key: str, full_name: str) -> bytes:
    """A 256×256 PNG: initials on a coloured disc, transparent around it."""
    scale = 4  # drawn large and scaled down, which smooths the disc's edge without an anti-aliasing pass
    side = AVATAR_SIZE * scale
    image = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((0, 0, side - 1, side - 1), fill=_colour(_hue(key), 0.42, 0.55))
    draw.text((side / 2, side / 2), initials(full_name), font=_font(int(side * 0.4)), fill=(255, 255, 255),
              anchor="mm")
    image = image.resize((AVATAR_SIZE, AVATAR_SIZE), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def lead_upload(*, slug: str, title: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{slug}.jpg", lead_image(key=slug, title=title), content_type="image/jpeg")


def avatar_upload(*, username: str, full_name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{username}.png", avatar_image(key=username, full_name=full_name),
                              content_type="image/png")
