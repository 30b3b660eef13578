"""The one way an uploaded image enters the platform: decode, check, clean, re-encode.

`process_upload(upload=...)` trusts nothing the browser says. The type is decided by decoding the
content (JPEG, PNG or WebP; anything else, whatever its name, is refused), the file size and the
pixel count are limited before the pixels are decoded (a small file can declare a huge image: a
decompression bomb), and a truncated or damaged file is refused rather than half-shown.

What comes out is pixels only: the EXIF orientation is applied, colours are converted to sRGB
when the file carries a colour profile, and the image is encoded again as WebP in a few widths.
Nothing from the original file survives besides the pixels: no EXIF (camera, time, GPS position),
no XMP, no comments, no colour profile. Domains store the result (see docs/media.md); the stories
domain will reuse the same function for story photos.
"""

from __future__ import annotations

import contextlib
import io
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

# Formats accepted, as Pillow names them after decoding the content.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
# At most this many pixels (width × height), checked from the header before decoding: about a
# 40-megapixel camera. Decoding one takes ~160 MB as RGBA; more could exhaust a small server.
MAX_PIXELS = 40_000_000
# The widths served; an image narrower than the largest is also stored at its own width, and
# never enlarged.
WIDTHS = (480, 960, 1600)
QUALITY = 80
OUTPUT_FORMAT = "webp"
CONTENT_TYPES = {"webp": "image/webp"}
# WebP cannot hold a side longer than this; very long and narrow images are scaled to fit.
WEBP_MAX_SIDE = 16383
EXIF_ORIENTATION = 0x0112
_TRUNCATED_SWITCH = threading.Lock()

NOT_AN_IMAGE = _(
    "This file is not a JPEG, PNG or WebP photo. Choose a photo saved in one of these formats."
)
DAMAGED = _(
    "This photo cannot be read: the file is incomplete or damaged. Save it again and upload "
    "the new file."
)
EMPTY = _("The file is empty. Choose a photo.")
TOO_LARGE = _("The file is %(size)s; photos can be at most %(limit)s. Choose a smaller file.")
TOO_MANY_PIXELS = _(
    "The photo has too many pixels: at most %(limit)s megapixels are accepted. Make it smaller "
    "and upload it again."
)


@dataclass(frozen=True)
class ImageVariant:
    """One encoded size of a processed image."""

    width: int
    height: int
    data: bytes

    @property
    def name(self) -> str:
        """The file name the variant is stored under, e.g. "960.webp"."""
        return f"{self.width}.{OUTPUT_FORMAT}"


@dataclass(frozen=True)
class ProcessedImage:
    """The clean result: the source's size (after orientation) and the encoded variants, from
    the narrowest to the widest, all in the source's aspect ratio."""

    source_format: str
    source_width: int
    source_height: int
    variants: tuple[ImageVariant, ...]
    format: str = OUTPUT_FORMAT

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]


def max_image_bytes() -> int:
    return int(getattr(settings, "KOPA_MAX_IMAGE_BYTES", 15 * 1024 * 1024))


def process_upload(*, upload: Any) -> ProcessedImage:
    """Decode an uploaded file (a Django UploadedFile or any binary file object), check it and
    return clean WebP variants; raises ValidationError with a message for the person."""
    data = _read_limited(upload)
    try:
        with warnings.catch_warnings():
            # Pillow warns, then fails, on images past its own bomb limit; both are refusals.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with _refusing_truncated_files():
                image = _decode(data)
            return _encode(image)
    except ValidationError:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ValidationError(
            TOO_MANY_PIXELS,
            code="too_many_pixels",
            params={"limit": MAX_PIXELS // 1_000_000},
        ) from None
    except UnidentifiedImageError:
        raise ValidationError(NOT_AN_IMAGE, code="not_an_image") from None
    except (OSError, SyntaxError, ValueError, TypeError, EOFError, IndexError, KeyError):
        # Pillow reports truncated and malformed data with any of these.
        raise ValidationError(DAMAGED, code="damaged") from None


@contextlib.contextmanager
def _refusing_truncated_files() -> Iterator[None]:
    """Pillow's switch for accepting truncated files is process-wide, and WeasyPrint turns it on
    when it is imported (for certificates); it is off while an upload is decoded."""
    with _TRUNCATED_SWITCH:
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _read_limited(upload: Any) -> bytes:
    limit = max_image_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise _too_large(size, limit)
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _too_large(size or len(data), limit)
    if not data:
        raise ValidationError(EMPTY, code="empty")
    return data


def _too_large(size: int, limit: int) -> ValidationError:
    return ValidationError(
        TOO_LARGE,
        code="too_large",
        params={"size": filesizeformat(size), "limit": filesizeformat(limit)},
    )


def _decode(data: bytes) -> Image.Image:
    # `formats` limits the decoders Pillow tries: the content decides, never the name.
    image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    if image.format not in ACCEPTED_FORMATS:  # pragma: no cover - `formats` already ensures it
        raise ValidationError(NOT_AN_IMAGE, code="not_an_image")
    width, height = image.size
    if width < 1 or height < 1:
        raise ValidationError(DAMAGED, code="damaged")
    if width * height > MAX_PIXELS:
        raise ValidationError(
            TOO_MANY_PIXELS,
            code="too_many_pixels",
            params={"limit": MAX_PIXELS // 1_000_000},
        )
    if image.format == "JPEG":
        # Let the JPEG decoder scale down by 1/2, 1/4 or 1/8 while decoding, never below the
        # widest size served: a 40-megapixel photo then needs a quarter of the memory.
        side = max(WIDTHS)
        image.draft(None, (side, side))
    image.load()  # decodes everything; raises on truncated or corrupt data
    return _reduce(image)


def _reduce(image: Image.Image) -> Image.Image:
    """Shrink a very large image by a whole factor first (cheap), keeping at least the widest
    size served, so the colour and mode conversions that follow work on fewer pixels."""
    width, height = image.size
    if image.getexif().get(EXIF_ORIENTATION, 1) in (5, 6, 7, 8):
        width, height = height, width  # shown turned by 90°
    factor = width // max(WIDTHS)
    if factor < 2 or image.mode not in ("L", "LA", "RGB", "RGBA", "CMYK"):
        return image
    reduced = image.reduce(factor)
    reduced.info = dict(image.info)  # keeps the orientation and profile for the next steps
    return reduced


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert colours described by an embedded profile to sRGB, so dropping the profile keeps
    the colours; without a usable profile the pixels are taken as sRGB."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        target = ImageCms.createProfile("sRGB")
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(image, source, target, outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image
    return converted if converted is not None else image


def _normalise_mode(image: Image.Image) -> Image.Image:
    """RGB, or RGBA when the image has transparency."""
    if image.mode in ("I", "I;16", "I;16L", "I;16B", "I;16N"):
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    elif image.mode == "F":
        image = image.convert("L")
    has_alpha = image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (
        image.mode in ("P", "L", "RGB") and "transparency" in image.info
    )
    return image.convert("RGBA" if has_alpha else "RGB")


def _target_sizes(width: int, height: int) -> list[tuple[int, int]]:
    widths = sorted({w for w in WIDTHS if w < width} | {min(width, max(WIDTHS))})
    sizes = []
    for target in widths:
        scaled_height = max(1, round(height * target / width))
        if scaled_height > WEBP_MAX_SIDE:
            target = max(1, width * WEBP_MAX_SIDE // height)
            scaled_height = WEBP_MAX_SIDE
        if (target, scaled_height) not in sizes:
            sizes.append((target, scaled_height))
    return sizes


def _encode(image: Image.Image) -> ProcessedImage:
    source_format = image.format or ""
    # A malformed EXIF block: keep the pixels as stored.
    with contextlib.suppress(OSError, SyntaxError, ValueError, TypeError, KeyError):
        image = ImageOps.exif_transpose(image) or image
    image = _normalise_mode(_to_srgb(image))
    # The source's size as the person sees it; a JPEG decoded at a reduced scale is reported at
    # that scale, which is still at least the widest size served.
    width, height = image.size
    variants = []
    for target_width, target_height in _target_sizes(width, height):
        if (target_width, target_height) == (width, height):
            resized = image
        else:
            resized = image.resize(
                (target_width, target_height), Image.Resampling.LANCZOS, reducing_gap=3.0
            )
        # A new image from the bare pixels: no info, no EXIF, no XMP, no profile can follow.
        clean = Image.frombytes(resized.mode, resized.size, resized.tobytes())
        out = io.BytesIO()
        clean.save(out, format="WEBP", quality=QUALITY, method=4)
        variants.append(ImageVariant(width=clean.width, height=clean.height, data=out.getvalue()))
    return ProcessedImage(
        source_format=source_format.lower(),
        source_width=width,
        source_height=height,
        variants=tuple(variants),
    )
