"""Keep secrets out of the logs: the signed patient links in request paths are capabilities."""

import logging
import re

# Path segments that are signed tokens: intake links, booking manage links, message actions, calendar
# feeds, password resets. A log line keeps the route, not the key to the patient's record.
_TOKEN_PATHS = re.compile(
    r"(/(?:intake|book/manage|book/confirmed|messages/a|schedule/feeds|accounts/reset|api/v1/intake)/)[^/\s?\"']+"
)


def redact(text):
    return _TOKEN_PATHS.sub(r"\1[redacted]", text)


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
