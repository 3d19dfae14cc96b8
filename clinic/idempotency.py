"""Idempotency keys on API writes (booking, intake submit).

A client that did not hear back (a dropped phone connection) sends the same request again with the same
`Idempotency-Key` header: it gets the first answer, marked `Idempotent-Replayed: true`, and nothing new
is created. The key is scoped to the endpoint's path and the caller, and bound to the request body: the
same key with another body is refused (422). While the first request is still running, a retry gets
409. Errors of the server (5xx) are not kept, so a retry runs again. Keys are kept for a day.
"""

import functools
import hashlib
import json
import re
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http.request import RawPostDataException
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from .models import IdempotentRequest

HEADER = "HTTP_IDEMPOTENCY_KEY"
_VALID = re.compile(r"^[A-Za-z0-9_.:\-]{8,128}$")
KEPT_FOR = timedelta(days=1)

# For the schema of a view that takes the header: the header, and the answer to a key reused with another body.
KEY_PARAMETER = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, pattern=_VALID.pattern,
    description="A retry with the same key and body gets the first answer again (kept a day) and acts once.",
)
KEY_REUSED = OpenApiResponse(OpenApiTypes.OBJECT, description="This key was already used for a different request.")


def _sha(text):
    return hashlib.sha256(text.encode() if isinstance(text, str) else text).hexdigest()


def _body_hash(request):
    """The request body's hash. A multipart body is not kept: Django streams it into the form, and the CSRF check of
    a signed-in caller has already read that, so then the form's fields and files stand for it."""
    try:
        return _sha(request.body)
    except RawPostDataException:
        django_request = getattr(request, "_request", request)
        fields = sorted(django_request.POST.lists())
        files = sorted((name, [(f.name, f.size) for f in items]) for name, items in django_request.FILES.lists())
        return _sha(json.dumps({"fields": fields, "files": files}))


def idempotent(view_method):
    """Decorate an APIView method (self, request, ...) or a function view (request, ...)."""

    @functools.wraps(view_method)
    def wrapped(*args, **kwargs):
        request = args[0] if hasattr(args[0], "META") else args[1]
        key = request.META.get(HEADER)
        if key is None:
            return view_method(*args, **kwargs)
        if not _VALID.match(key):
            return Response({"Idempotency-Key": ["Use 8 to 128 letters, digits, '-', '_', '.' or ':'."]},
                            status=status.HTTP_400_BAD_REQUEST)
        caller = request.user.pk if request.user.is_authenticated else "anonymous"
        key_hash = _sha(f"{request.method} {request.path}|{caller}|{key}")
        request_hash = _body_hash(request)
        try:
            with transaction.atomic():
                row = IdempotentRequest.objects.create(key_hash=key_hash, request_hash=request_hash)
        except IntegrityError:
            return _replay(IdempotentRequest.objects.get(key_hash=key_hash), request_hash)
        try:
            response = view_method(*args, **kwargs)
        except BaseException:
            row.delete()  # nothing was answered: a retry may run
            raise
        if response.status_code >= 500:
            row.delete()
        else:
            # As the client received it (DRF's own JSON), so a replay matches to the microsecond.
            row.status_code, row.body = response.status_code, json.loads(JSONRenderer().render(response.data))
            row.save(update_fields=["status_code", "body"])
        return response

    return wrapped


def _replay(row, request_hash):
    if row.request_hash != request_hash:
        return Response({"Idempotency-Key": ["This key was already used for a different request."]},
                        status=status.HTTP_422_UNPROCESSABLE_ENTITY)
    if row.status_code is None:
        return Response({"detail": "The first request with this Idempotency-Key is still being processed."},
                        status=status.HTTP_409_CONFLICT)
    return Response(row.body, status=row.status_code, headers={"Idempotent-Replayed": "true"})


def purge_expired(now=None):
    """Forget keys older than a day (beat runs this hourly)."""
    return IdempotentRequest.objects.filter(created_at__lt=(now or timezone.now()) - KEPT_FOR).delete()[0]
