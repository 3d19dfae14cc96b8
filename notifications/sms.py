"""Text messages that fit in two SMS segments: how many segments a text takes, and a text made to fit.

A segment holds 160 GSM-7 characters (153 each when a message is split) or, as soon as one character is outside
GSM-7 (á, ’, an emoji), 70 UCS-2 code units (67 each when split). Carriers bill and may drop messages per segment,
so every text the app sends stays within two: 306 GSM-7 characters, or 134 UCS-2 units. Pure Python, no Django.
"""

import unicodedata

MAX_SEGMENTS = 2

# GSM 03.38: the basic table (one septet each) and the extension table (an escape and the character: two).
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
    "abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = frozenset("^{}\\[~]|€\f")

# Typography that phones and names bring in, and its GSM-7 spelling (one curly apostrophe turns a whole message into
# UCS-2 and halves what it may hold).
_PLAIN = {"‘": "'", "’": "'", "‚": ",", "“": '"', "”": '"', "„": '"', "–": "-", "—": "-", "‐": "-", "‑": "-",
          "…": "...", "\u00a0": " ", "\u202f": " ", "\u2009": " ", "•": "-", "·": "-", "×": "x"}


def is_gsm(text: str) -> bool:
    return all(ch in GSM_BASIC or ch in GSM_EXTENDED for ch in text)


def _pack(costs, single, each):
    """Segments for characters of the given costs: all in one if they fit `single`, else `each` per segment, a
    character never split across two (an escape pair, a surrogate pair)."""
    if sum(costs) <= single:
        return 1 if costs else 0
    segments, used = 1, 0
    for cost in costs:
        if used + cost > each:
            segments, used = segments + 1, 0
        used += cost
    return segments


def segments(text: str) -> int:
    """How many SMS segments `text` is sent as."""
    if is_gsm(text):
        return _pack([2 if ch in GSM_EXTENDED else 1 for ch in text], 160, 153)
    return _pack([2 if ord(ch) > 0xFFFF else 1 for ch in text], 70, 67)


def to_gsm(text: str) -> str:
    """`text` in GSM-7 where it can be: curly quotes and dashes made plain, accents GSM-7 lacks dropped (á to a;
    é, ñ and ü stay). Characters with no GSM-7 spelling (東, an emoji) stay as they are."""
    out = []
    for ch in text:
        ch = _PLAIN.get(ch, ch)
        if not is_gsm(ch):
            bare = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
            ch = bare if bare and is_gsm(bare) else ch
        out.append(ch)
    return "".join(out)


def shorten(value: str, limit: int) -> str:
    """`value` cut to `limit` characters with "..." (GSM-7, unlike "…")."""
    value = value.strip()
    if limit <= 0:
        return ""
    return value if len(value) <= limit else value[: max(limit - 3, 1)].rstrip() + "..."


# The long names (a clinic's, a kind of visit's) are cut shorter and shorter until the text fits; 0 leaves them out.
LIMITS = (None, 40, 28, 18, 0)


def fit(render, **names) -> str:
    """The first rendering of `render(**names)` within MAX_SEGMENTS, the names cut to each of LIMITS in turn.

    `render` builds the whole text from the (possibly shortened) names; what it adds itself (the time, the one
    link, "Reply STOP") is never cut. Raises ValueError if even the shortest rendering is too long: a bug in the
    wording, which the tests render with long names."""
    for limit in LIMITS:
        text = to_gsm(render(**{k: v if limit is None else shorten(v, limit) for k, v in names.items()}))
        if segments(text) <= MAX_SEGMENTS:
            return text
    raise ValueError(f"Text message longer than {MAX_SEGMENTS} segments: {text!r}")
