"""The signature a patient draws on the consent step: checked before it is kept (plain bytes, no models).

The page's drawing box (intake.js) sends a canvas as a PNG data URL: 8-bit RGBA, transparent where nothing was
drawn. Anything else is refused with a message the patient (or an API client) can act on: not a PNG, larger than
MAX_BYTES, larger than the box could make, or blank. Blank is judged on the image itself, not on what the page
says: a PNG's rows are stored as differences from their neighbours, and an image whose every pixel is
transparent (all zeros) stores nothing but zeros, so the non-zero bytes of the rows measure the ink.
"""

import base64
import binascii
import struct
import zlib

from django.utils.translation import gettext as _

PREFIX = "data:image/png;base64,"
MAX_BYTES = 200 * 1024
# The box is at most about 600 x 200 CSS pixels, drawn at up to twice the screen's density; room to spare.
MAX_WIDTH, MAX_HEIGHT = 2400, 1200
# Fewer non-zero bytes than this in the rows is a speck or a slip of the finger, not a signature.
MIN_INK_BYTES = 24
# The data URL's length for MAX_BYTES of PNG (base64 makes 4 characters of 3 bytes).
MAX_DATA_URL_LENGTH = len(PREFIX) + 4 * (MAX_BYTES + 2) // 3

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_RGBA, _BYTES_PER_PIXEL = 6, 4


class SignatureProblem(ValueError):
    """The drawing cannot be kept; `message` says why in words for the patient."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def data_url(png: bytes) -> str:
    """The PNG as the data URL the page's drawing box reads and sends."""
    return PREFIX + base64.b64encode(png).decode("ascii")


def _chunks(png: bytes):
    at = len(_PNG_MAGIC)
    while at + 8 <= len(png):
        length, kind = struct.unpack(">I4s", png[at:at + 8])
        body = png[at + 8:at + 8 + length]
        if len(body) != length or at + 12 + length > len(png):
            raise SignatureProblem(_("The signature image is damaged. Clear the box and sign again."))
        yield kind, body
        at += 12 + length
        if kind == b"IEND":
            return
    raise SignatureProblem(_("The signature image is damaged. Clear the box and sign again."))


def _ink(rows: bytes, width: int, height: int) -> int:
    """The non-zero bytes of the rows, leaving out each row's first byte (its filter type)."""
    stride = 1 + width * _BYTES_PER_PIXEL
    view = memoryview(rows)
    return sum(stride - 1 - bytes(view[top + 1:top + stride]).count(0) for top in range(0, height * stride, stride))


def png_from_data_url(text: str) -> bytes:
    """The PNG bytes of a drawn signature sent as a data URL; raises SignatureProblem when it cannot be kept."""
    if not isinstance(text, str) or not text.startswith(PREFIX):
        raise SignatureProblem(_("The signature must be a PNG image drawn in the box. Clear the box and sign again."))
    if len(text) > MAX_DATA_URL_LENGTH:
        raise SignatureProblem(_("The signature image is too large (more than %(kb)s KB). Clear the box and sign "
                                 "again.") % {"kb": MAX_BYTES // 1024})
    try:
        png = base64.b64decode(text[len(PREFIX):], validate=True)
    except (binascii.Error, ValueError):
        raise SignatureProblem(_("The signature image is damaged. Clear the box and sign again.")) from None
    if len(png) > MAX_BYTES:
        raise SignatureProblem(_("The signature image is too large (more than %(kb)s KB). Clear the box and sign "
                                 "again.") % {"kb": MAX_BYTES // 1024})
    if not png.startswith(_PNG_MAGIC):
        raise SignatureProblem(_("The signature must be a PNG image drawn in the box. Clear the box and sign again."))
    chunks = list(_chunks(png))
    if not chunks or chunks[0][0] != b"IHDR" or len(chunks[0][1]) != 13:
        raise SignatureProblem(_("The signature image is damaged. Clear the box and sign again."))
    width, height, depth, colour, _compression, _filter, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    if (depth, colour, interlace) != (8, _RGBA, 0):
        raise SignatureProblem(_("The signature must be drawn in the box on this page. Clear the box and sign "
                                 "again."))
    if not (0 < width <= MAX_WIDTH and 0 < height <= MAX_HEIGHT):
        raise SignatureProblem(_("The signature image is too large. Clear the box and sign again."))
    expected = height * (1 + width * _BYTES_PER_PIXEL)
    inflate = zlib.decompressobj()
    try:
        # Never more than the image's own size: a small file cannot unpack into a huge one.
        rows = inflate.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"), expected + 1)
    except zlib.error:
        raise SignatureProblem(_("The signature image is damaged. Clear the box and sign again.")) from None
    if len(rows) != expected:
        raise SignatureProblem(_("The signature image is damaged. Clear the box and sign again."))
    if _ink(rows, width, height) < MIN_INK_BYTES:
        raise SignatureProblem(_("The signature box is empty. Sign in the box with your finger or the mouse, or "
                                 "choose to type your name instead."))
    return png
