"""Small input and output serializers for the scheduling API, one per operation."""

from datetime import UTC, timedelta

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clinic.api_schema import RecordField, text_field
from clinic.dates import ApiBirthDateField, ApiDayField, ApiInstantField
from patients import phone as phones
from patients.models import Patient

from . import online_offer, selectors
from .models import Appointment, Clinician, Location, Modality, Room, VisitType

MAX_RANGE_DAYS = 31


def _check_range(attrs, *, required=True):
    start, end = attrs.get("start"), attrs.get("end")
    if start and end:
        if end < start:
            raise serializers.ValidationError({"end": "The end date must be on or after the start date."})
        if (end - start).days + 1 > MAX_RANGE_DAYS:
            raise serializers.ValidationError({"end": f"Ask for at most {MAX_RANGE_DAYS} days at a time."})
    return attrs


class QuerySerializer(serializers.Serializer):
    """Query parameters. One left out takes its default; one sent empty (`?start=`) is refused, not read as left
    out (DRF drops an empty optional value, which would quietly answer for other days than the caller typed)."""

    def to_internal_value(self, data):
        empty = {
            name: ["Give a value, or leave the parameter out."]
            for name, field in self.fields.items()
            if not field.required and data.get(name) == ""
        }
        try:
            attrs = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({**exc.detail, **empty}) from None
        if empty:
            raise serializers.ValidationError(empty)
        return attrs


# Public ------------------------------------------------------------------------------------------------


class AvailabilityQuerySerializer(QuerySerializer):
    visit_type = RecordField(
        queryset=selectors.online_visit_types(), help_text="A visit type that can be booked online."
    )
    start = ApiDayField(help_text="First day (YYYY-MM-DD), in the clinic's local calendar.")
    end = ApiDayField(help_text=f"Last day, inclusive; at most {MAX_RANGE_DAYS} days after start.")
    clinician = RecordField(queryset=Clinician.objects.filter(is_active=True), required=False)
    location = RecordField(queryset=Location.objects.filter(is_active=True), required=False)
    modality = serializers.ChoiceField(
        choices=Modality.choices, required=False,
        help_text="Default: in_office when the visit type is offered in the office, else telehealth.",
    )

    def validate(self, attrs):
        _check_range(attrs)
        visit_type = attrs["visit_type"]
        modality = attrs.get("modality") or visit_type.modalities[0]
        if not visit_type.offers(modality):
            raise serializers.ValidationError(
                {"modality": f"{visit_type} is offered {visit_type.get_modality_display().lower()}."}
            )
        attrs["modality"] = modality
        return attrs


class ClinicDateTimeField(ApiInstantField):
    """A visit's start. Without a UTC offset it is clinic time, and a clinic time the clocks skip (2:30 AM on
    the spring-forward day) is refused rather than quietly moved by an hour."""

    default_error_messages = {
        "skipped": "{time} does not exist on {day} in the clinic's time zone: the clocks go forward an hour then.",
    }

    def to_internal_value(self, value):
        instant = super().to_internal_value(value)
        typed = parse_datetime(value) if isinstance(value, str) else None
        if typed is not None and timezone.is_naive(typed):
            # Through UTC: converting to the zone it already carries would hand back the skipped wall time.
            if timezone.localtime(instant.astimezone(UTC)).replace(tzinfo=None) != typed:
                self.fail("skipped", time=f"{typed:%-I:%M %p}", day=f"{typed:%b %-d, %Y}")
        return instant


class SlotSerializer(serializers.Serializer):
    clinician = serializers.IntegerField()
    location = serializers.IntegerField(allow_null=True, help_text="Null for telehealth.")
    start = serializers.DateTimeField(help_text="ISO 8601 with the location's UTC offset (the clinic's for telehealth).")
    end = serializers.DateTimeField()


class AvailabilitySerializer(serializers.Serializer):
    slots = SlotSerializer(many=True)


class BookingPatientSerializer(serializers.Serializer):
    first_name = text_field(max_length=100)
    last_name = text_field(max_length=100)
    date_of_birth = ApiBirthDateField()
    email = serializers.EmailField(max_length=254)
    phone = serializers.CharField(max_length=30, help_text="A mobile number; without a country code it is read as US.")

    def validate_phone(self, value):
        try:
            return phones.to_e164(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None


class OfferField(RecordField):
    """A visit type, clinician or location open to online booking, found in the process's copy of the offer
    (scheduling.online_offer) rather than by a query; the queryset still describes the field in the schema."""

    def __init__(self, *, find, **kwargs):
        self.find = find
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            pk = int(data)
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        found = self.find(pk)
        if found is None:
            self.fail("does_not_exist", pk_value=data)
        return found


class BookingCreateSerializer(serializers.Serializer):
    visit_type = OfferField(queryset=selectors.online_visit_types(), find=online_offer.visit_type)
    clinician = OfferField(queryset=Clinician.objects.filter(is_active=True), find=online_offer.clinician)
    start = ClinicDateTimeField(help_text="A start time from /api/v1/availability/, with its UTC offset.")
    modality = serializers.ChoiceField(choices=Modality.choices)
    location = OfferField(
        queryset=Location.objects.filter(is_active=True), find=online_offer.location, required=False, allow_null=True,
        help_text="Required in office; ignored for telehealth.",
    )
    patient = BookingPatientSerializer()
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    accepts_cancellation_policy = serializers.BooleanField(
        required=False, default=False,
        help_text="Required (true) while the clinic has a cancellation policy (patients read it at "
                  "/policies/cancellation-policy/): the patient has read and accepts it. The visit keeps the version "
                  "accepted and when.",
    )
    cancellation_policy_version = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**31 - 1,
        help_text="The version the patient was shown; refused (400) if a newer one is in force meanwhile.",
    )


class BookingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Appointment.Status.choices)
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    manage_url = serializers.URLField(help_text="The patient's private link to see, reschedule or cancel the visit.")


class SlotTakenSerializer(serializers.Serializer):
    detail = serializers.CharField()
    next_free = SlotSerializer(many=True)


# Staff -------------------------------------------------------------------------------------------------


class AppointmentListQuerySerializer(QuerySerializer):
    start = ApiDayField(required=False, help_text="First local day; default today.")
    end = ApiDayField(required=False, help_text="Last local day, inclusive; default start + 6 days.")
    clinician = RecordField(queryset=Clinician.objects.all(), required=False)

    def validate(self, attrs):
        attrs.setdefault("start", timezone.localdate())
        attrs.setdefault("end", attrs["start"] + timedelta(days=6))
        return _check_range(attrs)


class _PatientRef(serializers.Serializer):
    id = serializers.IntegerField()
    mrn = serializers.CharField()
    name = serializers.CharField(source="full_name")


class _ClinicianRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")


class _NamedRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class AppointmentSerializer(serializers.ModelSerializer):
    """An appointment as staff see it: never clinical notes, never the patient's video link."""

    patient = _PatientRef()
    clinician = _ClinicianRef()
    visit_type = _NamedRef()
    location = _NamedRef(allow_null=True)
    room = _NamedRef(allow_null=True)
    start = serializers.SerializerMethodField()
    end = serializers.SerializerMethodField()
    status_label = serializers.SerializerMethodField()

    class Meta:
        model = Appointment
        fields = [
            "id", "patient", "clinician", "visit_type", "modality", "location", "room", "start", "end",
            "status", "status_label", "source", "reason", "cancellation_reason",
        ]

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_start(self, obj):
        return obj.start_at.astimezone(obj.local_tz).isoformat()

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_end(self, obj):
        return obj.end_at.astimezone(obj.local_tz).isoformat()

    def get_status_label(self, obj) -> str:
        return obj.get_status_display().lower()


class AppointmentCreateSerializer(serializers.Serializer):
    patient = RecordField(queryset=Patient.objects.filter(status=Patient.Status.ACTIVE))
    clinician = RecordField(queryset=Clinician.objects.filter(is_active=True))
    visit_type = RecordField(queryset=VisitType.objects.filter(is_active=True))
    start = ClinicDateTimeField()
    modality = serializers.ChoiceField(choices=Modality.choices)
    location = RecordField(
        queryset=Location.objects.filter(is_active=True), required=False, allow_null=True
    )
    room = RecordField(
        queryset=Room.objects.filter(is_active=True), required=False, allow_null=True,
        help_text="Default: a free room at the location.",
    )
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class AppointmentMoveSerializer(serializers.Serializer):
    start = ClinicDateTimeField()
    clinician = RecordField(
        queryset=Clinician.objects.filter(is_active=True), required=False, help_text="Default: the same clinician."
    )
    room = RecordField(queryset=Room.objects.filter(is_active=True), required=False)


class AppointmentCancelSerializer(serializers.Serializer):
    reason = text_field(max_length=200, help_text="Why the visit is cancelled (the staff page asks for it too).")
    notify_patient = serializers.BooleanField(
        default=True, help_text="Send the patient the cancellation message (false: they were told another way)."
    )


class WaitlistMatchSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    patient = _PatientRef()
    earliest_date = serializers.DateField()
    latest_date = serializers.DateField()


class AppointmentCancelledSerializer(serializers.Serializer):
    appointment = AppointmentSerializer()
    waitlist_matches = WaitlistMatchSerializer(many=True, help_text="Patients waiting for a time like the freed one.")
