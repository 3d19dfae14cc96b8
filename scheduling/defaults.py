"""The visit types and cancellation reasons a new clinic starts with (admins edit them in the staff admin)."""

from decimal import Decimal

VISIT_TYPES = [
    # name, modality, minutes, buffer before, buffer after, colour, online, intake, price, description
    ("Initial evaluation", "either", 60, 0, 0, "#2a9d8f", True, True, "180.00",
     "History, movement and gait screen, special tests and a plan. Start here."),
    ("Follow-up", "either", 45, 0, 0, "#457b9d", True, False, "120.00", "Treatment and progress check."),
    ("3D gait analysis", "in_office", 90, 0, 15, "#e76f51", True, True, "250.00",
     "Instrumented treadmill gait analysis with video. Wear running shoes and shorts."),
    ("Diagnostic ultrasound", "in_office", 30, 0, 0, "#8d6cab", False, False, "150.00",
     "Musculoskeletal ultrasound of the hip and buttock. Booked by the front desk after an evaluation."),
    ("Telehealth consult", "telehealth", 30, 0, 0, "#f4a261", True, True, "90.00",
     "Video visit: talk through your pain and get a first plan from home."),
]


def ensure_default_visit_types(VisitType):
    """Create the default visit types that are missing; `VisitType` may be a migration's historical model."""
    for order, (name, modality, minutes, before, after, color, online, intake, price, text) in enumerate(VISIT_TYPES):
        VisitType.objects.get_or_create(
            name=name,
            defaults=dict(
                modality=modality, duration_minutes=minutes, buffer_before_minutes=before,
                buffer_after_minutes=after, color=color, bookable_online=online, needs_intake=intake,
                price=Decimal(price), description=text, sort_order=order,
            ),
        )


CANCELLATION_REASONS = ["Patient request", "Patient ill", "Clinician unavailable", "Weather",
                        "Insurance / authorisation", "Rescheduled"]


def ensure_default_cancellation_reasons(CancellationReason):
    """Create the default cancellation reasons that are missing, ten apart in the order so the clinic can slot its
    own between them; `CancellationReason` may be a migration's historical model."""
    for order, name in enumerate(CANCELLATION_REASONS):
        CancellationReason.objects.get_or_create(name=name, defaults={"sort_order": (order + 1) * 10})
