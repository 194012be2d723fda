"""Uploaded images, made here with Pillow: only a real, decodable JPEG/PNG/WebP/GIF within the limits is kept,
and what is stored is its pixels alone — upright, without EXIF (GPS included), XMP, comments, text chunks or
colour profile, under a name we make up. Each refusal says why on the form it came from, which keeps the rest."""

import io
import struct
import time
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms, PngImagePlugin

from kure.accounts.services import update_profile
from kure.articles import services
from kure.articles.images import sanitised_upload
from kure.articles.models import Article, BodyImage
from kure.core.errors import InvalidInput

pytestmark = pytest.mark.django_db

SECRETS = [b"GIZLI-YORUM", b"GIZLI-XMP", b"GIZLI-KAMERA", b"GIZLI-METIN", b"<script>"]
GPS = 0x8825
ORIENTATION = 0x0112


def upload(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def two_colour(width: int = 40, height: int = 30) -> Image.Image:
    """Red left half, blue right half: after a quarter turn the halves say which way it went."""
    image = Image.new("RGB", (width, height), (220, 20, 20))
    image.paste((20, 20, 220), (width // 2, 0, width, height))
    return image


def phone_photo(**extra) -> bytes:
    """A JPEG as a phone writes it: EXIF with a GPS position, a camera model and 'turn me a quarter', an XMP
    packet, a comment, an sRGB colour profile."""
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # the pixels are stored lying on their side; show them turned 90° clockwise
    exif[0x0110] = "GIZLI-KAMERA"  # Model
    exif[GPS] = {1: "N", 2: (41.0, 0.0, 36.0), 3: "E", 4: (28.0, 58.0, 48.0)}
    buffer = io.BytesIO()
    two_colour().save(buffer, "JPEG", exif=exif, comment=b"GIZLI-YORUM <script>alert(1)</script>",
                      xmp=b"<x:xmpmeta xmlns:x='adobe:ns:meta/'>GIZLI-XMP</x:xmpmeta>",
                      icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes(), **extra)
    return buffer.getvalue()


def stored_bytes(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def assert_clean(data: bytes) -> Image.Image:
    for secret in SECRETS:
        assert secret not in data, secret
    image = Image.open(io.BytesIO(data))
    assert not image.getexif(), dict(image.getexif())
    assert not {"exif", "xmp", "comment", "icc_profile", "XML:com.adobe.xmp"} & set(image.info), image.info
    assert not getattr(image, "text", None)
    return image


def test_a_phone_photo_is_stored_upright_with_no_gps_or_other_metadata(author):
    data = phone_photo()
    original = Image.open(io.BytesIO(data))
    assert original.getexif().get_ifd(GPS) and original.info.get("comment")  # the test photo is what it claims
    record = services.upload_body_image(user=author, upload=upload("IMG_2041 Kadıköy.jpg", data))
    for field in (record.image, record.thumbnail):
        stored = assert_clean(stored_bytes(field))
        assert stored.size == (30, 40), "the orientation was applied to the pixels, then dropped"
        rgb = stored.convert("RGB")
        top, bottom = rgb.getpixel((15, 3)), rgb.getpixel((15, 36))
        assert top[0] > 150 > top[2] and bottom[2] > 150 > bottom[0], (top, bottom)
        assert "Kad" not in field.name and "IMG" not in field.name
    assert (record.width, record.height) == (30, 40)


def test_png_text_chunks_and_exif_are_dropped(author):
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "GIZLI-METIN")
    info.add_itxt("XML:com.adobe.xmp", "GIZLI-XMP")
    exif = Image.Exif()
    exif[GPS] = {1: "N", 2: (41.0, 0.0, 36.0)}
    buffer = io.BytesIO()
    Image.new("RGBA", (50, 40), (10, 200, 10, 128)).save(buffer, "PNG", pnginfo=info, exif=exif)
    record = services.upload_body_image(user=author, upload=upload("harita.png", buffer.getvalue(), "image/png"))
    stored = assert_clean(stored_bytes(record.image))
    assert stored.format == "PNG" and stored.mode == "RGBA"  # transparency survives


def test_an_avatar_with_gps_is_stored_without_it(author):
    person = update_profile(person=author, full_name="Ayşe Demir", affiliation="", bio="",
                            avatar=upload("ben.jpg", phone_photo()))
    assert_clean(stored_bytes(person.avatar))
    assert "ben" not in person.avatar.name.rsplit("/", 1)[-1]


def test_the_content_decides_not_the_name(author):
    """A JPEG called .png is a JPEG; a GIF with a web page glued after it is kept as its pixels only."""
    record = services.upload_body_image(user=author, upload=upload("aslinda.png", phone_photo(), "image/png"))
    assert record.image.name.endswith(".jpg")
    buffer = io.BytesIO()
    Image.new("P", (20, 20), 3).save(buffer, "GIF")
    polyglot = buffer.getvalue() + b"<html><body><script>alert(document.cookie)</script></body></html>"
    record = services.upload_body_image(user=author, upload=upload("hem.gif", polyglot, "image/gif"))
    assert_clean(stored_bytes(record.image))
    assert b"<html" not in stored_bytes(record.image)


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width``×``height`` (bit depth 1, so the claim costs nothing to write)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
            + chunk(b"IEND", b""))


def _truncated(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise((300, 300), 80).convert("RGB").save(buffer, fmt)
    data = buffer.getvalue()
    return data[: len(data) * 2 // 3]


def _bmp() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "BMP")
    return buffer.getvalue()


def _compressed_bomb() -> bytes:
    """A real PNG of 7000×7000 one-bit pixels: a few kilobytes that decode to 49 million pixels."""
    buffer = io.BytesIO()
    Image.new("1", (7000, 7000)).save(buffer, "PNG")
    return buffer.getvalue()


REFUSED = [
    ("SVG", "resim.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>', "not an image"),
    ("HTML", "resim.png", b"<!doctype html><script>alert(1)</script>", "not an image"),
    ("SVG in GIF clothing", "resim.gif", b"GIF89a<svg onload=alert(1)>", "not an image"),
    ("empty", "bos.png", b"", "empty"),
    ("truncated PNG", "yarim.png", _truncated("PNG"), "not an image"),
    ("truncated JPEG", "yarim.jpg", _truncated("JPEG"), "not an image"),
    ("BMP", "eski.bmp", _bmp(), "is a BMP image"),
    ("decompression bomb", "bomba.png", _compressed_bomb(), "7000×7000 pixels"),
    ("header past Pillow's own ceiling", "dev.png", _png_header_only(30000, 30000), "far too many pixels"),
    ("a strip longer than the longest side", "serit.png", _png_header_only(13000, 10), "13000×10 pixels"),
]


@pytest.mark.parametrize(("name", "data", "says"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_what_is_not_a_usable_image_is_refused_with_a_reason(author, name, data, says):
    started = time.monotonic()
    with pytest.raises(InvalidInput, match=says) as refused:
        services.upload_body_image(user=author, upload=upload(name, data))
    assert time.monotonic() - started < 2, "refused before decoding, not after"
    assert name in refused.value.message
    assert not BodyImage.objects.exists()


def test_the_byte_limit_is_checked_before_reading(author, settings):
    settings.KURE_MAX_IMAGE_BYTES = 1000
    big = upload("buyuk.jpg", phone_photo(quality=100) + b"\0" * 2000)
    with pytest.raises(InvalidInput, match="too large"):
        services.upload_body_image(user=author, upload=big)
    assert big.tell() == 0, "nothing was read"


def test_phone_formats_and_unusual_modes_are_kept_or_refused_never_a_crash(author):
    mpo = io.BytesIO()
    two_colour().save(mpo, "MPO", save_all=True, append_images=[two_colour(40, 30)])
    assert Image.open(io.BytesIO(mpo.getvalue())).format == "MPO"
    record = services.upload_body_image(user=author, upload=upload("telefon.jpg", mpo.getvalue()))
    assert record.image.name.endswith(".jpg")
    for mode in ("I;16", "I", "F", "CMYK", "LA", "PA", "1", "L"):
        buffer = io.BytesIO()
        fmt = "TIFF" if mode in {"I", "F", "PA"} else "JPEG" if mode == "CMYK" else "PNG"
        try:
            Image.new(mode, (16, 12)).save(buffer, fmt)
        except (OSError, ValueError, KeyError):
            continue  # Pillow cannot even write it: nobody can upload it either
        try:
            content, _ = sanitised_upload(upload(f"kip.{fmt.lower()}", buffer.getvalue()))
        except InvalidInput:
            continue
        assert_clean(content.read())


# --- the forms: the reason is shown (escaped), and everything else typed is still there ---------------------

HOSTILE_NAME = '<img src=x onerror="alert(1)">.svg'


def test_profile_form_keeps_the_fields_and_escapes_the_file_name(client, author):
    client.force_login(author)
    response = client.post("/accounts/profile/", {
        "full_name": "Ayşe Demir", "affiliation": "Ankara Üniversitesi", "bio": "Tarihçi ve yazar.",
        "avatar": upload(HOSTILE_NAME, b"<svg onload=alert(1)>")})
    assert response.status_code == 400
    page = response.content.decode()
    assert "is not an image we can read" in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;.svg" in page and HOSTILE_NAME not in page
    assert 'value="Ankara Üniversitesi"' in page and "Tarihçi ve yazar.</textarea>" in page
    author.refresh_from_db()
    assert not author.avatar and author.affiliation == ""


def test_new_article_form_keeps_title_and_body_when_the_lead_image_is_refused(client, author):
    client.force_login(author)
    response = client.post("/tr/articles/new/", {
        "title": "Kapadokya", "body": "Peribacaları Nevşehir'dedir.", "language": "tr", "tags": "Doğa, Gezi",
        "action": "save", "lead_image": upload("kapak.jpg", _truncated("JPEG"))})
    assert response.status_code == 400
    page = response.content.decode()
    assert "“kapak.jpg” is not an image we can read" in page
    assert 'value="Kapadokya"' in page and "Peribacaları Nevşehir&#x27;dedir.</textarea>" in page
    assert 'value="Doğa, Gezi"' in page
    assert not Article.objects.exists()


def test_editor_insert_keeps_the_body_and_the_script_upload_answers_json(client, author):
    client.force_login(author)
    response = client.post("/tr/articles/new/", {
        "title": "Kapadokya", "body": "Peribacaları.", "language": "tr", "action": "upload",
        "insert_image": upload("bomba.png", _compressed_bomb())})
    page = response.content.decode()
    assert "7000×7000 pixels" in page and "Peribacaları.</textarea>" in page
    answer = client.post("/tr/articles/upload-image/", {"image": upload(HOSTILE_NAME, b"<svg/>")},
                         headers={"Accept": "application/json"})
    assert answer.status_code == 400 and "is not an image we can read" in answer.json()["message"]
    good = client.post("/tr/articles/upload-image/", {"image": upload("foto.jpg", phone_photo()), "alt": "Vadi"})
    assert good.status_code == 200 and good.json()["markdown"].startswith("![Vadi](/media/uploads/")
    assert_clean(stored_bytes(BodyImage.objects.get().image))


def test_metadata_form_keeps_tags_and_caption_when_the_lead_image_is_refused(client, author, editor):
    revision = services.create_article(author=author, title="Kapadokya", body="Metin.", submit=True)
    services.approve_revision(revision=revision, editor=editor)
    client.force_login(editor)
    response = client.post(f"/tr/articles/{revision.article.slug}/metadata/", {
        "tags": "Doğa, Gezi", "lead_image_caption": "Balonlar", "lead_image_credit": "Küre",
        "lead_image": upload("balon.png", _png_header_only(13000, 10))})
    assert response.status_code == 400
    page = response.content.decode()
    assert "13000×10 pixels" in page
    assert 'value="Doğa, Gezi"' in page and 'value="Balonlar"' in page
