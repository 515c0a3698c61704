"""Uploaded images decoded by Pillow and rebuilt: the size is read from the header and refused
above MAX_PIXELS before any pixel is decompressed, the file is verified, decoded, turned upright
by its EXIF orientation, and encoded again in its own format from the pixels alone, so that
metadata (EXIF with GPS, comments, text chunks, ICC profiles) and anything that is not part of
the image (an HTML page or a ZIP appended to it, or hiding in a comment) is not stored. An
animation is stored as its first frame: evidence is a still picture.

`image_clean(data)` returns (rebuilt bytes, content type) or raises BadImage / ImageTooLarge."""

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PIXELS = 40_000_000

#: Pillow's own guard for every other use of Image.open in the process: it warns above this and
#: refuses above twice this, on the header alone
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

#: Pillow format → content type; nothing else is opened (no TIFF, BMP, PSD, … parsers at all)
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}

#: what each format is saved with: no `exif`, `icc_profile` or `comment` is ever passed
_SAVE_OPTIONS = {
    "JPEG": {"quality": 90},
    "PNG": {"optimize": False},
    "GIF": {},
    "WEBP": {"quality": 90},
}


class BadImage(ValueError):
    """The bytes are not a well-formed image of an allowed type."""


class ImageTooLarge(ValueError):
    """More than MAX_PIXELS; `width`/`height` are None when Pillow refused on its own guard."""

    def __init__(self, width: int | None = None, height: int | None = None):
        self.width, self.height = width, height
        super().__init__(f"{width}x{height}")


def _open(data: bytes) -> Image.Image:
    """The image with its header read and nothing decoded; the size checked first."""
    try:
        with warnings.catch_warnings():
            # between MAX_PIXELS and twice that Pillow only warns: our own check below refuses
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(CONTENT_TYPES))
    except Image.DecompressionBombError:
        raise ImageTooLarge() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise BadImage(str(exc)) from exc
    width, height = image.size
    if width <= 0 or height <= 0:
        raise BadImage("zero size")
    if width * height > MAX_PIXELS:
        raise ImageTooLarge(width, height)
    return image


def image_clean(data: bytes) -> tuple[bytes, str]:
    image = _open(data)
    image_format = image.format
    try:
        image.verify()  # checksums and structure, without decoding
        image = _open(data)  # verify() leaves the image unusable: open it again
        image.load()  # the first frame only; a truncated file raises here
        upright = ImageOps.exif_transpose(image)
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError) as exc:
        raise BadImage(str(exc)) from exc
    # only the pixels and what is needed to show them go on: the palette travels with the mode,
    # transparency is the one entry of `info` kept
    clean = upright.copy()
    clean.info = {k: v for k, v in upright.info.items() if k == "transparency"}
    if image_format == "JPEG" and clean.mode not in ("L", "RGB", "CMYK"):
        clean = clean.convert("RGB")
    out = io.BytesIO()
    try:
        clean.save(out, format=image_format, **_SAVE_OPTIONS[image_format])
    except (OSError, ValueError) as exc:
        raise BadImage(str(exc)) from exc
    return out.getvalue(), CONTENT_TYPES[image_format]
