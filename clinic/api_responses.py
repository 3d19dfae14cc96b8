"""The refusals every API view can answer with, for the OpenAPI schema: DRF's `{"detail": message}` bodies."""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


FORBIDDEN = OpenApiResponse(DetailSerializer, description="Not signed in, or the role may not do this.")
NOT_FOUND = OpenApiResponse(DetailSerializer, description="No such object.")
