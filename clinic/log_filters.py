"""Keep secrets out of the logs: the signed patient links in request paths are capabilities."""

import logging
import re

# Path segments that are signed tokens: intake links, booking manage links, message actions, calendar
# feeds, password resets. A log line keeps the route, not the key to the patient's record.
_TOKEN_PATHS = re.compile(
    r"(/(?:intake|book/manage|book/confirmed|messages/a|schedule/feeds|accounts/reset|api/v1/intake)/)[^/\s?\"']+"
)
# The same paths URL-encoded, as in the `next=` of a redirect to sign-in or to the code step.
_ENCODED_TOKEN_PATHS = re.compile(
    r"(%2F(?:intake|book%2Fmanage|book%2Fconfirmed|messages%2Fa|schedule%2Ffeeds|accounts%2Freset|api%2Fv1%2Fintake)%2F)"
    r"(?:(?!%2F)[^&\s\"'])+",  # the token, up to the next encoded slash (its own ':' is encoded as %3A)
    re.IGNORECASE,
)


def redact(text):
    return _ENCODED_TOKEN_PATHS.sub(r"\1[redacted]", _TOKEN_PATHS.sub(r"\1[redacted]", text))


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
