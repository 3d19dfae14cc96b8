"""seed_demo never puts the published demo password on a server without DEBUG."""

import io
import re

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command

from clinic.management.commands.seed_demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_without_debug_seed_demo_refuses_and_creates_nobody(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only with DEBUG=1"):
        call_command("seed_demo", "--patients", "3", stdout=io.StringIO())
    assert not get_user_model().objects.filter(email="admin@stride.test").exists()


def test_on_a_staging_copy_every_login_gets_a_random_password_printed_once(settings, rf):
    settings.DEBUG = False
    out = io.StringIO()
    call_command("seed_demo", "--patients", "3", "--staging", stdout=out)
    printed = dict(re.findall(r"(\S+@stride\.test)\s+(\S+)$", out.getvalue(), re.MULTILINE))
    assert DEMO_PASSWORD not in out.getvalue() and len(printed) == 7 and len(set(printed.values())) == 7
    request = rf.post("/accounts/login/")
    assert authenticate(request, username="admin@stride.test", password=DEMO_PASSWORD) is None
    assert authenticate(request, username="admin@stride.test", password=printed["admin@stride.test"]) is not None


def test_with_debug_the_demo_logins_use_the_published_password(settings, rf):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", "--patients", "3", stdout=out)
    assert DEMO_PASSWORD in out.getvalue()
    user = authenticate(rf.post("/accounts/login/"), username="frontdesk@stride.test", password=DEMO_PASSWORD)
    assert user is not None


def test_the_demo_tells_the_story_a_visitor_judges_the_product_by(settings, cancellation_policy):
    """Today's mix with rooms, online requests to answer, and patients whose history fills the clinical pages."""
    from datetime import timedelta

    from django.utils import timezone

    from exams.models import Exam
    from intake.models import IntakeForm, OutcomeScore, RedFlagAlert
    from scheduling.models import Appointment

    settings.DEBUG = True
    call_command("seed_demo", "--patients", "20", stdout=io.StringIO())
    showcase = timezone.localdate()
    while showcase.weekday() > 4:  # the demo clinic is closed at weekends: then Monday shows the mix
        showcase += timedelta(days=1)
    day = [a for a in Appointment.objects.select_related("visit_type", "room")
           if timezone.localtime(a.start_at).date() == showcase]
    kinds = {a.visit_type.name for a in day}
    assert {"Initial evaluation", "Follow-up", "3D gait analysis", "Diagnostic ultrasound",
            "Telehealth consult"} <= kinds
    assert all(a.room.name == "Gait lab" for a in day if a.visit_type.name == "3D gait analysis")
    assert all(a.room.name == "Ultrasound" for a in day if a.visit_type.name == "Diagnostic ultrasound")
    in_office = [a for a in day if a.modality == "in_office"]
    assert sum(a.room_id is not None for a in in_office) >= 0.8 * len(in_office)
    assert Appointment.objects.filter(status="requested", source="online", vouched_by=None).count() >= 3
    online = Appointment.objects.filter(source="online")  # each accepted the cancellation policy (their panels say)
    assert set(online.values_list("cancellation_policy", flat=True)) == {cancellation_policy.pk}
    assert not Appointment.objects.filter(source="front_desk", cancellation_policy__isnull=False).exists()

    assert IntakeForm.objects.filter(status="submitted").count() == 6
    assert IntakeForm.objects.filter(drawn_signature__isnull=False).count() == 1  # one signed by drawing
    assert any(len(kinds) > 1 for form in IntakeForm.objects.all()
               for kinds in form.answers["complaint"]["body_map"].values())  # a place marked with two kinds
    # Saddle numbness (an emergency), and no improvement after a month at 50 or over (the malignancy pattern); the
    # same answer under 50, and pain not eased by rest alone, are context: listed, no alert.
    assert sorted(RedFlagAlert.objects.values_list("urgency", flat=True)) == ["emergency", "urgent"]
    from exams.models import RedFlagScreen

    assert RedFlagScreen.objects.count() == 30 and not RedFlagScreen.objects.exclude(urgency="").exists()
    assert Exam.objects.filter(findings__neuro__graded=1).count() == 1
    assert Exam.objects.filter(signed_at__isnull=False).count() >= 30
    improving = 0
    for patient_id in IntakeForm.objects.values_list("patient_id", flat=True):
        pain = list(OutcomeScore.objects.filter(patient_id=patient_id, instrument="nprs")
                    .order_by("recorded_at").values_list("value", flat=True))
        # A score at (nearly) every visit over six weeks; the first from the intake (an exam does not store the
        # score the patient gave again, and a follow-up within 14 days of the intake starts from it).
        assert len(pain) >= 5
        improving += pain[0] - pain[-1] >= 2  # at least the NPRS's meaningful change
    assert improving >= 4
    # The demo's ODI and LEFS are placeholder wording: every score from them says so and none is banded.
    loaded = OutcomeScore.objects.filter(instrument__in=["odi", "lefs"])
    assert {s.instrument for s in loaded} == {"odi", "lefs"} and loaded.count() >= 30
    assert all(s.demo_wording and s.band == "" for s in loaded)
