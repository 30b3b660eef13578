from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile

from kopa.core import images
from kopa.core.images import process_upload

GPS_IFD = 34853
ORIENTATION = 0x0112


def jpeg_with_gps(size: tuple[int, int] = (1200, 800), orientation: int | None = None) -> bytes:
    """A JPEG as a phone writes it: camera, time and GPS position in EXIF, plus XMP and a
    comment."""
    image = Image.new("RGB", size, (200, 40, 40))
    # A mark in the top-left corner, to see where the orientation puts it.
    image.paste((20, 20, 220), (0, 0, size[0] // 4, size[1] // 4))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 12"  # Model
    exif[0x0132] = "2026:05:01 10:00:00"  # DateTime
    if orientation:
        exif[ORIENTATION] = orientation
    exif[GPS_IFD] = {1: "N", 2: (56.0, 57.0, 3.5), 3: "E", 4: (24.0, 6.0, 1.2)}
    out = io.BytesIO()
    image.save(
        out,
        "JPEG",
        exif=exif.tobytes(),
        comment=b"taken at the library",
        xmp=b"<x:xmpmeta xmlns:x='adobe:ns:meta/'>secret place</x:xmpmeta>",
        icc_profile=b"",
    )
    data = out.getvalue()
    reopened = Image.open(io.BytesIO(data))
    assert reopened.getexif().get_ifd(GPS_IFD), "the test image must carry a GPS position"
    return data


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares width × height pixels: a decompression bomb's shape."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def rejection(data: bytes, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        process_upload(upload=upload(data, **kwargs))
    return caught.value


def test_gps_and_every_other_metadata_are_gone_from_every_size():
    result = process_upload(upload=upload(jpeg_with_gps()))
    assert [v.width for v in result.variants] == [480, 960, 1200]
    for variant in result.variants:
        image = Image.open(io.BytesIO(variant.data))
        assert image.format == "WEBP"
        assert dict(image.getexif()) == {}
        assert not image.getexif().get_ifd(GPS_IFD)
        for key in ("exif", "xmp", "icc_profile", "comment", "XML:com.adobe.xmp"):
            assert key not in image.info, key
        assert b"Exif" not in variant.data
        assert b"PhoneMaker" not in variant.data
        assert b"secret place" not in variant.data
        assert b"taken at the library" not in variant.data


def test_sizes_keep_the_aspect_ratio_and_are_never_enlarged():
    big = process_upload(
        upload=upload(encoded(Image.new("RGB", (3000, 2000)), "PNG"), name="a.png")
    )
    assert [(v.width, v.height) for v in big.variants] == [(480, 320), (960, 640), (1600, 1067)]
    assert [v.name for v in big.variants] == ["480.webp", "960.webp", "1600.webp"]
    assert big.content_type == "image/webp"
    small = process_upload(upload=upload(encoded(Image.new("RGB", (300, 200)), "WEBP")))
    assert [(v.width, v.height) for v in small.variants] == [(300, 200)]
    for variant in big.variants + small.variants:
        assert Image.open(io.BytesIO(variant.data)).size == (variant.width, variant.height)


def test_the_exif_orientation_is_applied():
    # Orientation 6: the camera was turned; the stored 1200 × 800 is shown as 800 × 1200.
    result = process_upload(upload=upload(jpeg_with_gps((1200, 800), orientation=6)))
    widest = result.variants[-1]
    assert (widest.width, widest.height) == (800, 1200)
    image = Image.open(io.BytesIO(widest.data)).convert("RGB")
    assert image.size == (800, 1200)
    # The blue mark of the stored top-left corner is now at the top right.
    red, green, blue = image.getpixel((image.width - 20, 20))
    assert blue > 150 and red < 100
    red, green, blue = image.getpixel((20, 20))
    assert red > 150 and blue < 100


def test_transparency_is_kept():
    image = Image.new("RGBA", (600, 400), (0, 0, 0, 0))
    result = process_upload(upload=upload(encoded(image, "PNG"), name="logo.png"))
    assert Image.open(io.BytesIO(result.variants[0].data)).mode == "RGBA"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("photo.jpg", b"#!/bin/sh\nrm -rf /\n"),
        ("photo.jpg", b"<script>alert(1)</script>"),
        ("photo.jpg", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"),
        (
            "photo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        ),
        ("photo.gif", b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!"),
    ],
)
def test_anything_but_jpeg_png_or_webp_is_refused_whatever_its_name(name, data):
    error = rejection(data, name=name, content_type="image/jpeg")
    assert error.code == "not_an_image"
    assert "JPEG, PNG or WebP" in error.messages[0]


def test_a_real_gif_is_refused_too():
    gif = encoded(Image.new("P", (10, 10)), "GIF")
    assert rejection(gif, name="photo.jpg").code == "not_an_image"


def test_a_truncated_jpeg_is_refused():
    data = jpeg_with_gps((800, 600))
    error = rejection(data[: len(data) // 2])
    assert error.code == "damaged"


def test_a_truncated_jpeg_is_refused_even_after_weasyprint_allowed_them(monkeypatch):
    # WeasyPrint sets this process-wide when it is imported (certificates, attendance sheets).
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    data = jpeg_with_gps((800, 600))
    assert rejection(data[: len(data) // 2]).code == "damaged"
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # and it is left as it was


def test_a_damaged_png_is_refused():
    data = encoded(Image.new("RGB", (300, 200), "white"), "PNG")
    broken = data[:60] + bytes(b ^ 0xFF for b in data[60:120]) + data[120:]
    assert rejection(broken, name="a.png").code == "damaged"


def test_an_empty_file_is_refused():
    assert rejection(b"").code == "empty"


def test_a_pixel_bomb_is_refused_before_it_is_decoded():
    bomb = png_declaring(30000, 30000)
    assert len(bomb) < 200
    error = rejection(bomb, name="bomb.png")
    assert error.code == "too_many_pixels"
    # Just past the platform's limit, below Pillow's own: the platform's limit decides.
    side = int(images.MAX_PIXELS**0.5) + 10
    assert rejection(png_declaring(side, side), name="big.png").code == "too_many_pixels"


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.KOPA_MAX_IMAGE_BYTES = 1000
    error = rejection(jpeg_with_gps((800, 600)))
    assert error.code == "too_large"


def test_the_message_is_in_the_language_of_the_page():
    from django.utils import translation

    with translation.override("en"):
        english = rejection(b"not an image").messages[0]
    with translation.override("lv"):
        latvian = rejection(b"not an image").messages[0]
    assert "JPEG, PNG" in latvian
    assert latvian != english
