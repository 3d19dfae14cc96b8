"""PNG images made by hand for the drawn-signature tests (no imaging library): what a canvas sends, and what it
must not."""

import random
import struct
import zlib

from intake import signatures

MAGIC = b"\x89PNG\r\n\x1a\n"
INK = b"\x11\x1c\x3a\xff"  # the drawing box's dark blue, opaque
CLEAR = b"\x00\x00\x00\x00"  # transparent, as an untouched canvas


def _chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png(width=300, height=100, strokes=((20, 48, 260, 52), (40, 20, 44, 80)), colour_type=6, noise=False):
    """An RGBA PNG `width` x `height`, transparent but for the `strokes` (x0, y0, x1, y1) drawn in ink; `noise`
    fills it with random pixels (so it barely compresses)."""
    pick = random.Random(7)
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter: none
        for x in range(width):
            if noise:
                rows += bytes(pick.randrange(256) for _ in range(4))
            else:
                rows += INK if any(x0 <= x < x1 and y0 <= y < y1 for x0, y0, x1, y1 in strokes) else CLEAR
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return MAGIC + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(bytes(rows))) + _chunk(b"IEND", b"")


def drawn(**kwargs):
    """The data URL the drawing box puts in the hidden field."""
    return signatures.data_url(png(**kwargs))
