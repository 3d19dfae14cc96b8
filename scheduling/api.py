"""The scheduling API: public availability and booking, and the staff appointment endpoints."""

from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from clinic.api_responses import FORBIDDEN, NOT_FOUND
from clinic.audit import request_ip
from clinic.idempotency import KEY_PARAMETER, KEY_REUSED, idempotent

from . import formatting, links, selectors, services, throttle
from .models import Appointment, Location, Modality
from .serializers import (
    AppointmentCancelledSerializer,
    AppointmentCancelSerializer,
    AppointmentCreateSerializer,
    AppointmentListQuerySerializer,
    AppointmentMoveSerializer,
    AppointmentSerializer,
    AvailabilityQuerySerializer,
    AvailabilitySerializer,
    BookingCreateSerializer,
    BookingSerializer,
    SlotTakenSerializer,
)
from .services import SlotTaken

PATIENT_FIELDS = {"first_name", "last_name", "date_of_birth", "email", "phone", "mobile_phone"}
ERRORS = OpenApiResponse(OpenApiTypes.OBJECT, description="Field errors: {field: [message, ...]}.")


class BookingThrottle(BaseThrottle):
    """At most 10 public booking writes per client address per hour, shared with the booking pages."""

    def allow_request(self, request, view):
        return throttle.allow(request)

    def wait(self):
        return throttle.BOOKING_WINDOW_SECONDS


class HasViewPermission(BasePermission):
    """Signed-in staff whose role grants the view's permission for this method."""

    def has_permission(self, request, view):
        perm = view.required_perms.get(request.method)
        return bool(request.user and request.user.is_authenticated and perm and request.user.has_perm(perm))


def _error_body(exc: DjangoValidationError, *, nest_patient=False):
    if not hasattr(exc, "error_dict"):
        return {"non_field_errors": exc.messages}
    body = {}
    for key, messages in exc.message_dict.items():
        key = "non_field_errors" if key == "__all__" else key
        if nest_patient and key in PATIENT_FIELDS:
            body.setdefault("patient", {})["phone" if key == "mobile_phone" else key] = messages
        else:
            body[key] = messages
    return body


def _slot_json(slot, *, telehealth, zones):
    tz = zones.get(slot.location_id) if not telehealth else formatting.zone_for(None)
    tz = tz or formatting.zone_for(None)
    return {
        "clinician": slot.clinician_id,
        "location": None if telehealth else slot.location_id,
        "start": slot.start.astimezone(tz).isoformat(),
        "end": slot.end.astimezone(tz).isoformat(),
    }


def _slots_json(slots, *, modality):
    telehealth = modality == Modality.TELEHEALTH
    zones = {}
    if not telehealth and slots:
        zones = {
            loc.pk: formatting.zone_for(loc)
            for loc in Location.objects.filter(pk__in={s.location_id for s in slots}).only("pk", "time_zone")
        }
    return [_slot_json(s, telehealth=telehealth, zones=zones) for s in slots]


def _taken_response(exc: SlotTaken, *, modality):
    return Response(
        {"detail": exc.message, "next_free": _slots_json(exc.next_free, modality=modality)},
        status=status.HTTP_409_CONFLICT,
    )


# Public ------------------------------------------------------------------------------------------------


class AvailabilityApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["public"],
        summary="Free times for a visit type",
        parameters=[AvailabilityQuerySerializer],
        responses={200: AvailabilitySerializer, 400: ERRORS},
    )
    def get(self, request):
        query = AvailabilityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        modality = q["modality"]
        location = q.get("location")
        slots, _ = selectors.open_slots(
            q["visit_type"], q["start"], q["end"],
            clinician_ids=[q["clinician"].pk] if q.get("clinician") else None,
            location_id=location.pk if location else None, modality=modality,
        )
        if modality == Modality.TELEHEALTH:
            slots = sorted({(s.start, s.clinician_id): s for s in slots}.values())
        return Response({"slots": _slots_json(slots, modality=modality)})


class BookingCreateApi(APIView):
    """A patient books online: matched to their record (or a new one) and emailed a private manage link."""

    permission_classes = [AllowAny]
    throttle_classes = [BookingThrottle]

    @extend_schema(
        tags=["public"],
        summary="Book a visit online",
        parameters=[KEY_PARAMETER],
        request=BookingCreateSerializer,
        responses={
            201: BookingSerializer,
            400: ERRORS,
            409: OpenApiResponse(SlotTakenSerializer, description="The time is taken; the next free times."),
            422: KEY_REUSED,
            429: OpenApiResponse(OpenApiTypes.OBJECT, description="Too many bookings from this address."),
        },
    )
    @idempotent
    def post(self, request):
        data = BookingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        try:
            appointment = services.online_booking_create(
                visit_type=d["visit_type"], clinician=d["clinician"], start=d["start"], modality=d["modality"],
                location=d.get("location"), reason=d["reason"], ip=request_ip(request), **d["patient"],
                accepts_cancellation_policy=d["accepts_cancellation_policy"],
                cancellation_policy_version=d.get("cancellation_policy_version"),
            )
        except SlotTaken as exc:
            return _taken_response(exc, modality=d["modality"])
        except DjangoValidationError as exc:
            return Response(_error_body(exc, nest_patient=True), status=status.HTTP_400_BAD_REQUEST)
        tz = appointment.local_tz
        body = {
            "id": appointment.pk,
            "status": appointment.status,
            "start": appointment.start_at.astimezone(tz).isoformat(),
            "end": appointment.end_at.astimezone(tz).isoformat(),
            "manage_url": links.manage_url(appointment, request),
        }
        return Response(body, status=status.HTTP_201_CREATED)


# Staff -------------------------------------------------------------------------------------------------


class AppointmentListCreateApi(generics.ListAPIView):
    permission_classes = [HasViewPermission]
    required_perms = {
        "GET": "scheduling.view_appointment",
        "HEAD": "scheduling.view_appointment",
        "OPTIONS": "scheduling.view_appointment",
        "POST": "scheduling.add_appointment",
    }
    serializer_class = AppointmentSerializer

    def get_queryset(self):
        query = AppointmentListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        tz = selectors.clinic_tz()
        start = datetime.combine(q["start"], time.min, tzinfo=tz)
        end = datetime.combine(q["end"] + timedelta(days=1), time.min, tzinfo=tz)
        appointments = selectors.calendar_appointments(
            start, end,
            clinician_ids=[q["clinician"].pk] if q.get("clinician") else None,
        )
        return appointments.order_by("start_at", "pk")

    @extend_schema(
        tags=["staff"],
        summary="Appointments between two days",
        parameters=[AppointmentListQuerySerializer],
        responses={200: AppointmentSerializer(many=True), 400: ERRORS, 403: FORBIDDEN,
                   404: OpenApiResponse(description="No such page.")},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["staff"],
        summary="Book an appointment (front desk)",
        parameters=[KEY_PARAMETER],
        request=AppointmentCreateSerializer,
        responses={201: AppointmentSerializer, 400: ERRORS, 403: FORBIDDEN, 409: SlotTakenSerializer, 422: KEY_REUSED},
    )
    @idempotent
    def post(self, request):
        data = AppointmentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        try:
            appointment = services.appointment_book(
                patient=d["patient"], clinician=d["clinician"], visit_type=d["visit_type"], start=d["start"],
                modality=d["modality"], location=d.get("location"), room=d.get("room"), reason=d["reason"],
                source=Appointment.Source.FRONT_DESK, actor=request.user,
            )
        except SlotTaken as exc:
            return _taken_response(exc, modality=d["modality"])
        except DjangoValidationError as exc:
            return Response(_error_body(exc), status=status.HTTP_400_BAD_REQUEST)
        return Response(AppointmentSerializer(appointment).data, status=status.HTTP_201_CREATED)


def _staff_appointment(pk):
    return get_object_or_404(
        Appointment.objects.select_related("patient", "clinician__user", "visit_type", "location", "room"), pk=pk
    )


class AppointmentDetailApi(APIView):
    permission_classes = [HasViewPermission]
    required_perms = {"GET": "scheduling.view_appointment", "HEAD": "scheduling.view_appointment"}

    @extend_schema(
        tags=["staff"], summary="One appointment",
        responses={200: AppointmentSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request, pk):
        return Response(AppointmentSerializer(_staff_appointment(pk)).data)


class AppointmentMoveApi(APIView):
    permission_classes = [HasViewPermission]
    required_perms = {"POST": "scheduling.change_appointment"}

    @extend_schema(
        tags=["staff"],
        summary="Move an appointment to another time or clinician",
        request=AppointmentMoveSerializer,
        responses={200: AppointmentSerializer, 400: ERRORS, 403: FORBIDDEN, 404: NOT_FOUND, 409: SlotTakenSerializer},
    )
    def post(self, request, pk):
        appointment = _staff_appointment(pk)
        data = AppointmentMoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        try:
            appointment = services.appointment_move(
                appointment=appointment, start=d["start"], clinician=d.get("clinician"), room=d.get("room"),
                actor=request.user,
            )
        except SlotTaken as exc:
            return _taken_response(exc, modality=appointment.modality)
        except DjangoValidationError as exc:
            return Response(_error_body(exc), status=status.HTTP_400_BAD_REQUEST)
        return Response(AppointmentSerializer(_staff_appointment(appointment.pk)).data)


class AppointmentCancelApi(APIView):
    permission_classes = [HasViewPermission]
    required_perms = {"POST": "scheduling.change_appointment"}

    @extend_schema(
        tags=["staff"],
        summary="Cancel an appointment",
        request=AppointmentCancelSerializer,
        responses={200: AppointmentCancelledSerializer, 400: ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, pk):
        appointment = _staff_appointment(pk)
        data = AppointmentCancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            appointment, matches = services.appointment_cancel(
                appointment=appointment, reason=data.validated_data["reason"],
                notify_patient=data.validated_data["notify_patient"], actor=request.user,
            )
        except DjangoValidationError as exc:
            return Response(_error_body(exc), status=status.HTTP_400_BAD_REQUEST)
        body = {"appointment": _staff_appointment(appointment.pk), "waitlist_matches": matches}
        return Response(AppointmentCancelledSerializer(body).data)
