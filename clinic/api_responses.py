"""The refusals every API view can answer with: DRF's `{"detail": message}` bodies, and their OpenAPI schema."""

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """DRF's handler, keeping the reason a Django PermissionDenied gives (say, emergency access needed) in
    `detail` where DRF would put its generic sentence: pages and the API refuse with the same words."""
    if isinstance(exc, PermissionDenied) and str(exc):
        exc = exceptions.PermissionDenied(str(exc))
    return drf_exception_handler(exc, context)


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


FORBIDDEN = OpenApiResponse(DetailSerializer, description="Not signed in, or the role may not do this.")
NOT_FOUND = OpenApiResponse(DetailSerializer, description="No such object.")
