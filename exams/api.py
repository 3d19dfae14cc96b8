"""Staff API of the clinician's exam: a patient's exams (findings, suggestions, diagnoses, signed state, addenda) and
outcome score series. Clinicians and admins only; the front desk and patients get 403."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from clinic.api_responses import FORBIDDEN, NOT_FOUND
from clinic.audit import record_view, request_ip
from intake import scoring
from intake import selectors as intake_selectors
from patients import care
from patients.models import Patient

from . import selectors
from .models import Exam, ExamAddendum, ExamAttachment, WorkingDiagnosis


class CanReadExams(BasePermission):
    """Clinicians and admins: may read clinical content and exams."""

    message = "Exams and scores are for clinicians."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.has_perms(("intake.view_clinical", "exams.view_exam")))


class AddendumSerializer(serializers.ModelSerializer):
    author = serializers.StringRelatedField()

    class Meta:
        model = ExamAddendum
        fields = ["id", "author", "text", "created_at"]


class AttachmentSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(source="document.kind")
    title = serializers.CharField(source="document.title")
    url = serializers.CharField(source="document.get_absolute_url")

    class Meta:
        model = ExamAttachment
        fields = ["id", "kind", "title", "caption", "url"]


class DiagnosisSerializer(serializers.ModelSerializer):
    diagnosis_display = serializers.CharField(source="label", help_text="As the chart shows it (Other: its note).")
    side = serializers.CharField(help_text="left, right, both, or empty when the diagnosis has no side.")
    icd10_code = serializers.CharField(help_text="ICD-10-CM code (FY2026): from the clinic's table by diagnosis and "
                                                 "side, or as typed for trauma and other; may be empty.")
    code_title = serializers.SerializerMethodField()

    class Meta:
        model = WorkingDiagnosis
        fields = ["diagnosis", "diagnosis_display", "side", "icd10_code", "code_title", "primary", "note"]

    def get_code_title(self, row) -> str:
        """The code's ICD-10-CM title (for the table's codes; empty for typed ones)."""
        return row.entry.titles if row.entry and row.icd10_code == row.entry.code_for(row.side) else ""


class VisitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    start_at = serializers.DateTimeField()
    visit_type = serializers.CharField()


class SuggestionSerializer(serializers.Serializer):
    condition = serializers.CharField()
    title = serializers.CharField()
    rule = serializers.CharField(help_text="The rule that fired, with its source figures.")
    evidence = serializers.ListField(child=serializers.CharField())
    kind = serializers.CharField(help_text="suggests, argues_against, reminder or red_flag (an alert is raised)")


class ExamSerializer(serializers.ModelSerializer):
    appointment = serializers.SerializerMethodField()
    clinician = serializers.CharField(source="clinician.display_name")
    diagnoses = DiagnosisSerializer(many=True, help_text="The working diagnoses, the primary first.")
    working_diagnosis = serializers.SerializerMethodField()
    working_diagnosis_display = serializers.SerializerMethodField()
    icd10_code = serializers.SerializerMethodField()
    signed = serializers.BooleanField(source="is_signed")
    signed_by = serializers.StringRelatedField(allow_null=True, help_text="Null until the exam is signed.")
    suggestions = serializers.SerializerMethodField()
    addenda = AddendumSerializer(many=True)
    attachments = AttachmentSerializer(many=True)

    class Meta:
        model = Exam
        fields = [
            "id", "appointment", "clinician", "created_at", "updated_at", "findings", "suggestions",
            "diagnoses", "working_diagnosis", "working_diagnosis_display", "icd10_code", "assessment_notes",
            "signed", "signed_at", "signed_by", "addenda", "attachments",
        ]

    @extend_schema_field(VisitSerializer(allow_null=True))
    def get_appointment(self, exam):
        appointment = exam.appointment
        if appointment is None:
            return None
        return {"id": appointment.pk, "start_at": appointment.start_at, "visit_type": str(appointment.visit_type)}

    def get_working_diagnosis(self, exam) -> str:
        """The primary diagnosis's key ("" when none): kept for clients from before `diagnoses`."""
        primary = exam.primary_diagnosis
        return primary.diagnosis if primary else ""

    def get_working_diagnosis_display(self, exam) -> str:
        primary = exam.primary_diagnosis
        return primary.label if primary else ""

    def get_icd10_code(self, exam) -> str:
        """The primary diagnosis's ICD-10-CM code."""
        primary = exam.primary_diagnosis
        return primary.icd10_code if primary else ""

    @extend_schema_field(SuggestionSerializer(many=True))
    def get_suggestions(self, exam):
        """What the rules suggest (as at signing for a signed exam); each with the rule that fired."""
        return selectors.shown_suggestions(exam)


class PatientRefSerializer(serializers.Serializer):
    mrn = serializers.CharField()
    name = serializers.CharField()


class PatientExamsSerializer(serializers.Serializer):
    patient = PatientRefSerializer()
    exams = ExamSerializer(many=True)


class PointSerializer(serializers.Serializer):
    recorded_at = serializers.DateTimeField()
    value = serializers.FloatField()
    band = serializers.CharField(help_text="Empty for demo wording: never banded")
    source = serializers.CharField(help_text="intake (baseline form) or exam (a visit's scores)")
    instrument_version = serializers.CharField(source="version")
    change_from_baseline = serializers.FloatField(source="change", allow_null=True)
    meaningful_change = serializers.BooleanField(
        source="meaningful", allow_null=True, help_text="The change is at least the measure's threshold, either way")
    verdict = serializers.CharField(help_text="improved, worsened, within measurement error; empty for the baseline")
    meaningful_improvement = serializers.SerializerMethodField()
    meaningful_worsening = serializers.SerializerMethodField()

    def _judged(self, point, verdict):
        return None if point.meaningful is None else point.verdict == verdict

    def get_meaningful_improvement(self, point) -> bool | None:
        return self._judged(point, scoring.IMPROVED)

    def get_meaningful_worsening(self, point) -> bool | None:
        return self._judged(point, scoring.WORSENED)


class SeriesSerializer(serializers.Serializer):
    instrument = serializers.CharField()
    name = serializers.CharField()
    demo_wording = serializers.BooleanField(help_text="Placeholder wording: not a real score of the instrument")
    change_threshold = serializers.FloatField(source="threshold", allow_null=True,
                                              help_text="The smallest meaningful change around this baseline")
    threshold_source = serializers.CharField()
    mcid = serializers.FloatField(source="threshold", allow_null=True, help_text="Same as change_threshold (older name)")
    mcid_source = serializers.CharField(source="threshold_source", help_text="Same as threshold_source (older name)")
    higher_is_better = serializers.BooleanField(allow_null=True)
    baseline = serializers.FloatField(allow_null=True)
    worsened = serializers.BooleanField(help_text="The latest score is meaningfully worse than the baseline")
    points = PointSerializer(many=True)


class PatientScoresSerializer(serializers.Serializer):
    patient = PatientRefSerializer()
    series = SeriesSerializer(many=True)


def _ref(patient):
    return {"mrn": patient.mrn, "name": patient.full_name}


def _patient(mrn, user):
    """The patient, if `user` may read their clinical record (checked in the same query)."""
    found = Patient.objects.only("pk", "mrn", "first_name", "last_name").annotate(**care.access_annotations(user))
    patient = get_object_or_404(found, mrn=mrn)
    care.require(user, patient)
    return patient


@extend_schema(
    tags=["staff"], summary="A patient's exams",
    responses={200: PatientExamsSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
)
@api_view(["GET"])
@permission_classes([CanReadExams])
def patient_exams(request, mrn):
    """A patient's exams, newest first, with findings, suggestions, signed state, addenda and attachments."""
    patient = _patient(mrn, request.user)
    record_view(instance=patient, actor=request.user, ip=request_ip(request))
    exams = (
        Exam.objects.filter(patient=patient)
        .select_related("patient", "appointment__visit_type", "clinician__user", "signed_by")
        .prefetch_related("addenda__author", "attachments__document", "diagnoses")
        .order_by("-created_at", "-id")
    )
    return Response(PatientExamsSerializer({"patient": _ref(patient), "exams": exams}).data)


@extend_schema(
    tags=["staff"], summary="A patient's outcome score series",
    responses={200: PatientScoresSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
)
@api_view(["GET"])
@permission_classes([CanReadExams])
def patient_scores(request, mrn):
    """A patient's outcome scores (intake baselines and follow-up visits) as one series per instrument."""
    patient = _patient(mrn, request.user)
    record_view(instance=patient, actor=request.user, ip=request_ip(request))
    series = intake_selectors.progress_series(patient.pk, with_chart=False)
    return Response(PatientScoresSerializer({"patient": _ref(patient), "series": series}).data)
