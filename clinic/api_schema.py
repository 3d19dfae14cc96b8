"""Fields and a schema hook so the OpenAPI schema says what the API enforces (schemathesis holds it to that).

A record is named by a positive id; a name or reason is refused when blank after trimming, so the schema asks for a
non-space character, not only a length of one.
"""

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

NOT_BLANK = RegexValidator(r"\S", "This field may not be blank.")


@extend_schema_field({"type": "integer", "minimum": 1})
class RecordField(serializers.PrimaryKeyRelatedField):
    """A related record by id (the schema says ids start at 1)."""


def text_field(**kwargs):
    """A CharField that must hold something besides spaces, in the API and in the schema."""
    return serializers.CharField(validators=[NOT_BLANK], **kwargs)


def positive_path_ids(result, generator, request, public):
    """SPECTACULAR postprocessing hook: integer path parameters (record ids) start at 1."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else ():
                schema = parameter.get("schema", {})
                if parameter.get("in") == "path" and schema.get("type") == "integer":
                    schema.setdefault("minimum", 1)
    return result
