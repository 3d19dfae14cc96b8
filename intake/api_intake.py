"""The intake API: the patient saves steps and submits by the signed token in the URL; staff read answers.

Patient endpoints take no session or login: the token is the credential (404 if bad or expired).
Step bodies are JSON in the shape the answers are stored in (see intake.questionnaire); errors come
back as {"errors": {field: [messages]}} with status 400. A drawn signature comes with the consent step as
"signature_method": "drawn" and "signature_drawing": a PNG data URL (intake.signatures); it is kept apart from
the answers, which never echo it.
"""

from django.core import signing
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import api_view, authentication_classes, parser_classes, permission_classes
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response

from clinic.api_responses import FORBIDDEN
from clinic.audit import record_view, request_ip
from clinic.idempotency import KEY_PARAMETER, KEY_REUSED, idempotent
from patients import care
from patients.models import Patient

from . import links, questionnaire, selectors, services
from .models import INTAKE_STEPS, IntakeForm, OutcomeScore, RedFlagAlert


def _open(token) -> IntakeForm:
    try:
        pk = links.intake_id_from(token)
    except signing.SignatureExpired:
        raise NotFound("This link is not valid or has expired.") from None
    intake = selectors.intake_for_link(pk) if pk is not None else None
    if intake is None or links.is_expired(intake):
        raise NotFound("This link is not valid or has expired.")
    return intake


def _errors(errors, code=status.HTTP_400_BAD_REQUEST):
    return Response({"errors": errors}, status=code)


_ERRORS = OpenApiResponse(OpenApiTypes.OBJECT, description="Field name to a list of messages.")


@extend_schema(
    tags=["public"],
    request=OpenApiTypes.OBJECT,
    responses={
        200: inline_serializer("IntakeStepSaved", {
            "step": serializers.CharField(), "answers": serializers.JSONField(), "status": serializers.CharField(),
            "current_step": serializers.CharField(),
        }),
        400: _ERRORS, 404: OpenApiResponse(description="Unknown, expired or tampered link, or no such step."),
        409: _ERRORS,
    },
)
@api_view(["PUT"])
@authentication_classes([])
@permission_classes([AllowAny])
@parser_classes([JSONParser])
def save_step(request, token, step):
    """Validate and save one step's answers as a draft."""
    intake = _open(token)
    if step not in INTAKE_STEPS:
        raise NotFound("No such step.")
    if not isinstance(request.data, dict):
        return _errors({"__all__": ["Send the step's answers as a JSON object."]})
    form = questionnaire.step_form(step, patient=intake.patient, visit=intake.appointment,
                                   data=questionnaire.STEP_FORMS[step].to_data(request.data))
    if not form.is_valid():
        return _errors({name: list(messages) for name, messages in form.errors.items()})
    answers = form.to_answers()
    try:
        intake = services.intake_save_step(intake=intake, step=step, answers=answers,
                                           signature=getattr(form, "drawn_png", None), ip=request_ip(request))
    except services.AlreadySubmitted as exc:
        return _errors({"__all__": [exc.message]}, status.HTTP_409_CONFLICT)
    return Response({"step": step, "answers": answers, "status": intake.status, "current_step": intake.current_step})


@extend_schema(
    tags=["public"],
    parameters=[KEY_PARAMETER],
    request=None,
    responses={
        200: inline_serializer("IntakeSubmitted", {"status": serializers.CharField(),
                                                   "submitted_at": serializers.DateTimeField()}),
        400: _ERRORS, 404: OpenApiResponse(description="Unknown, expired or tampered link."), 409: _ERRORS,
        422: KEY_REUSED,
    },
)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
@idempotent
def submit(request, token):
    """Complete the form: every step saved and valid, and the consent step signed."""
    intake = _open(token)
    try:
        intake = services.intake_submit(intake=intake, ip=request_ip(request))
    except services.IntakeIncomplete as exc:
        return _errors(exc.errors)
    except services.AlreadySubmitted as exc:
        return _errors({"__all__": [exc.message]}, status.HTTP_409_CONFLICT)
    return Response({"status": intake.status, "submitted_at": intake.submitted_at})


# --- Staff ------------------------------------------------------------------------------------------


class CanReadClinical(BasePermission):
    """Clinicians and admins; the front desk sees intake status on the chart, never the answers."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.has_perm("intake.view_clinical"))


class ScoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = OutcomeScore
        fields = ["instrument", "instrument_version", "demo_wording", "value", "band", "details", "recorded_at"]


class AlertSerializer(serializers.ModelSerializer):
    acknowledged_by = serializers.StringRelatedField(allow_null=True, help_text="Null until a clinician acknowledges it.")

    class Meta:
        model = RedFlagAlert
        fields = ["id", "urgency", "flags", "raised_at", "acknowledged_by", "acknowledged_at"]


class IntakeSerializer(serializers.ModelSerializer):
    appointment = serializers.SerializerMethodField()
    scores = ScoreSerializer(many=True)
    alerts = AlertSerializer(many=True)

    class Meta:
        model = IntakeForm
        fields = [
            "id", "status", "appointment", "current_step", "filled_in_clinic", "created_at", "submitted_at",
            "signed_name", "signed_at", "signed_ip", "instrument_versions", "answers", "scores", "alerts",
        ]

    @extend_schema_field(inline_serializer("IntakeAppointment", {
        "id": serializers.IntegerField(), "start_at": serializers.DateTimeField(),
        "visit_type": serializers.CharField(), "clinician": serializers.CharField(),
    }, allow_null=True))
    def get_appointment(self, intake):
        appointment = intake.appointment
        if appointment is None:
            return None
        return {"id": appointment.pk, "start_at": appointment.start_at, "visit_type": str(appointment.visit_type),
                "clinician": appointment.clinician.display_name}


@extend_schema(tags=["staff"], responses={
    200: inline_serializer("PatientIntakes", {
        "patient": inline_serializer("IntakePatient", {"mrn": serializers.CharField(), "name": serializers.CharField()}),
        "intakes": IntakeSerializer(many=True),
    }),
    403: FORBIDDEN,
    404: OpenApiResponse(description="No patient with that record number."),
})
@api_view(["GET"])
@permission_classes([CanReadClinical])
def patient_intake(request, mrn):
    """A patient's intake forms with their answers, scores and red-flag alerts, newest first."""
    try:
        patient = selectors.patient_intakes(mrn=mrn, viewer=request.user)
    except Patient.DoesNotExist:
        raise NotFound("No patient with that record number.") from None
    care.require(request.user, patient)
    record_view(instance=patient, actor=request.user, ip=request_ip(request))
    return Response({
        "patient": {"mrn": patient.mrn, "name": patient.full_name},
        "intakes": IntakeSerializer(patient.intake_forms.all(), many=True).data,
    })
