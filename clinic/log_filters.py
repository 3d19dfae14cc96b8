"""Keep secrets out of the logs: the signed patient links in request paths are capabilities.

Only the tokens are redacted, found by their shape, so every other path stays readable
(`/intake/forms/1/summary/` is a staff page, not a link):
- a signed id (clinic.signed_links: `signing.dumps`, so `value:timestamp:signature`, the signature 16+
  characters of URL-safe base64): intake links, booking manage and confirmed links, message actions;
- a calendar feed's random token, in `/schedule/feeds/<token>.ics`;
- a password reset token, in `/accounts/reset/<uidb64>/<token>/` (not Django's `set-password` step).
Each also URL-encoded, as in the `next=` of a redirect to sign-in or to the code step.
"""

import logging
import re

_PART = r"[A-Za-z0-9_-]"
_SIGNED = re.compile(  # value:signature or value:timestamp:signature, ':' plain or as %3A
    rf"(?:(?<=%2F)|(?<![\w%-])){_PART}+(?:(?::|%3A){_PART}+)?(?::|%3A){_PART}{{16,}}(?![\w-])", re.IGNORECASE
)
_SLASH = r"(?:/|%2F)"
_FEED = re.compile(rf"({_SLASH}schedule{_SLASH}feeds{_SLASH}){_PART}{{16,}}", re.IGNORECASE)
_RESET = re.compile(
    rf"({_SLASH}accounts{_SLASH}reset{_SLASH}{_PART}+{_SLASH})(?!set-password(?![\w-])){_PART}+", re.IGNORECASE
)


def redact(text):
    text = _SIGNED.sub("[redacted]", text)
    return _RESET.sub(r"\1[redacted]", _FEED.sub(r"\1[redacted]", text))


class RedactSignedLinks(logging.Filter):
    def filter(self, record):
        if record.args:
            record.msg = record.getMessage()
            record.args = None
        record.msg = redact(str(record.msg))
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            record.request = None  # its path and body would bring the token back in the handler's output
        return True
