import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from clinic import roles
from clinic.models import AuditEvent
from exams import services as exam_services
from exams.models import Exam, ExamAttachment
from intake.models import RedFlagAlert
from scheduling.models import Appointment
from tests.exams.exam_fixtures import SI_CLUSTER_3, dx_post, post_section, sign, submitted_intake
from tests.factories import sign_in

pytestmark = pytest.mark.django_db


def _inputs(html):
    """Editable controls in the page's main content, outside the addendum form."""
    html = html[html.index("<main"):]
    html = re.sub(r'<form[^>]*action="[^"]*/addenda/".*?</form>', "", html, flags=re.S)
    return re.findall(r'<(?:input(?![^>]*type="hidden")|select|textarea)\b', html)


def test_the_visits_clinician_starts_the_exam_from_the_appointment(rivera_client, visit):
    submitted_intake(visit.patient, visit)
    page = rivera_client.get(f"/exams/appointment/{visit.pk}/")
    assert page.status_code == 200
    assert b"Start exam" in page.content and b"Prefilled from the patient" in page.content
    assert not Exam.objects.exists()  # a GET never creates

    response = rivera_client.post(f"/exams/appointment/{visit.pk}/")
    exam = Exam.objects.get(appointment=visit)
    assert response.status_code == 302 and response.url == f"/exams/{exam.pk}/"
    assert rivera_client.get(f"/exams/appointment/{visit.pk}/").url == f"/exams/{exam.pk}/"  # opens, not a second one


def test_another_clinician_of_the_patient_may_open_but_not_start_a_visits_exam(chen_client, visit, chen_also_treats):
    page = chen_client.get(f"/exams/appointment/{visit.pk}/")
    assert page.status_code == 200 and b"Start exam</button>" not in page.content
    assert chen_client.post(f"/exams/appointment/{visit.pk}/").status_code == 403


def test_an_admin_starts_the_exam_for_the_visits_clinician(client, make_user, visit, dr_rivera):
    sign_in(client, make_user(roles.ADMIN))
    client.post(f"/exams/appointment/{visit.pk}/")
    assert Exam.objects.get(appointment=visit).clinician == dr_rivera


def test_exam_page_shows_each_section_with_norms_and_their_sources(rivera_client, exam):
    response = rivera_client.get(f"/exams/{exam.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    for title in ("Today&#x27;s scores", "History", "Gait analysis", "Mobility", "Strength", "Neuro screen",
                  "Special tests", "Ultrasound", "Assessment", "Plan", "Sign-off", "Addenda"):
        assert title in html, title
    assert "110-120°" in html and "AFP exam (Wilson 2014) [42]" in html  # hip flexion norm with its source
    assert "90-120 steps/min (mean 117)" in html and "Murray [51,52]" in html
    assert 'inputmode="decimal"' in html
    assert "Sn .88, Sp .69 [22]" in html  # thigh thrust figures beside the test
    assert AuditEvent.objects.filter(object_type="exams.Exam", action="view").count() == 1


def test_autosave_returns_flags_for_a_limited_motion(rivera_client, exam):
    response = post_section(rivera_client, exam, "mobility", {"hip_flexion_left": "95", "hip_flexion_right": "118",
                                                              "hip_flexion_left_pain": "on"})
    data = response.json()
    assert response.status_code == 200 and data["saved"] is True and data["saved_at"]
    assert "Limited" in data["flags"]["hip_flexion_left"] and "below 110-120°" in data["flags"]["hip_flexion_left"]
    assert "Not limited" in data["flags"]["hip_flexion_right"]
    assert data["flags"]["hip_extension_left"] == ""
    exam.refresh_from_db()
    assert exam.findings["mobility"]["hip_flexion"] == {"left": 95, "left_pain": True, "right": 118, "right_pain": False}


def test_autosave_computes_gait_symmetry_and_flags_outside_reference(rivera_client, exam):
    data = post_section(rivera_client, exam, "gait", {
        "walking_speed": "1.1", "walking_cadence": "130", "walking_step_width": "11",
        "walking_step_length_left": "55", "walking_step_length_right": "65",
    }).json()
    assert "Outside range" in data["flags"]["walking_step_width"]  # the normal base is 5-10 cm
    assert "brisk walking" in data["flags"]["walking_cadence"] and "Outside" not in data["flags"]["walking_cadence"]
    assert "SI +16.7%" in data["flags"]["walking_symmetry_step_length"]  # 10 / 60 x 100
    assert "Asymmetric" in data["flags"]["walking_symmetry_step_length"]
    assert "SI = (R - L) / (0.5 x (R + L)) x 100" in data["flags"]["walking_symmetry_step_length"]
    assert "Community walker" in data["flags"]["walking_speed"]


def test_autosave_of_special_tests_returns_the_suggestion_with_its_rule(rivera_client, exam):
    data = post_section(rivera_client, exam, "special_tests", SI_CLUSTER_3).json()
    assert "3 of 5 SI provocation tests positive" in data["fragments"]["suggestions"]
    assert "SI joint pain likely" in data["fragments"]["suggestions"]
    assert not exam.diagnoses.exists()


def test_invalid_values_are_refused_with_the_field_and_nothing_is_saved(rivera_client, exam):
    response = post_section(rivera_client, exam, "gait", {"walking_speed": "fast", "walking_stance_left": "140"})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "Enter a number" in errors["walking_speed"][0] and "walking_stance_left" in errors
    exam.refresh_from_db()
    assert "gait" not in exam.findings


def test_a_plain_form_post_saves_and_returns_to_the_section(rivera_client, exam):
    response = post_section(rivera_client, exam, "plan", {"frequency_per_week": "2", "weeks": "6"}, as_json=False)
    assert response.status_code == 302 and response.url.endswith("#plan")
    bad = post_section(rivera_client, exam, "plan", {"weeks": "99"}, as_json=False)
    assert bad.status_code == 400 and b"less than or equal to 52" in bad.content


def test_signed_exam_is_read_only_and_saves_are_refused(rivera_client, exam, dr_rivera):
    post_section(rivera_client, exam, "special_tests", SI_CLUSTER_3)
    post_section(rivera_client, exam, "assessment", dx_post(("si_joint_dysfunction", "right")))
    assert _inputs(rivera_client.get(f"/exams/{exam.pk}/").content.decode())  # a draft has inputs

    response = rivera_client.post(f"/exams/{exam.pk}/sign/")
    assert response.status_code == 302
    page = rivera_client.get(f"/exams/{exam.pk}/").content.decode()
    assert "Signed by" in page and "locked" in page
    assert _inputs(page) == []
    assert "3 of 5 SI provocation tests positive" in page and "SI joint pain (dysfunction)" in page

    refused = post_section(rivera_client, exam, "plan", {"weeks": "4"})
    assert refused.status_code == 409 and "addendum" in refused.json()["message"]
    assert post_section(rivera_client, exam, "plan", {"weeks": "4"}, as_json=False).status_code == 409
    assert rivera_client.post(f"/exams/{exam.pk}/sign/").status_code == 409
    upload = rivera_client.post(f"/exams/{exam.pk}/attachments/",
                                {"kind": "gait", "file": SimpleUploadedFile("g.pdf", b"%PDF-1.7")})
    assert upload.status_code == 409


def test_addendum_after_signing_shows_author_and_time(rivera_client, exam, dr_rivera):
    sign(exam, dr_rivera)
    response = rivera_client.post(f"/exams/{exam.pk}/addenda/", {"text": "Gaenslen retested: positive on the right."})
    assert response.status_code == 302 and response.url.endswith("#addenda")
    page = rivera_client.get(f"/exams/{exam.pk}/").content.decode()
    assert "Addendum by <strong>Sam Rivera</strong>" in page
    assert "Gaenslen retested: positive on the right." in page
    assert rivera_client.post(f"/exams/{exam.pk}/addenda/", {"text": ""}).status_code == 400


def test_signing_without_a_working_diagnosis_says_why(rivera_client, exam):
    response = rivera_client.post(f"/exams/{exam.pk}/sign/", follow=True)
    assert b"Choose a working diagnosis" in response.content
    exam.refresh_from_db()
    assert not exam.is_signed


def test_another_clinician_of_the_patient_reads_the_draft_but_cannot_edit_or_sign_it(chen_client, exam, chen_also_treats):
    page = chen_client.get(f"/exams/{exam.pk}/").content.decode()
    assert "only they can edit and sign it" in page and _inputs(page) == []
    assert post_section(chen_client, exam, "plan", {"weeks": "4"}).status_code == 403
    assert post_section(chen_client, exam, "assessment", dx_post(("sciatica", "left"))).status_code == 403
    assert chen_client.post(f"/exams/{exam.pk}/sign/").status_code == 403
    exam.refresh_from_db()
    assert not exam.is_signed and not exam.diagnoses.exists()


def test_another_clinician_of_the_patient_may_add_an_addendum_to_a_signed_exam(
    chen_client, exam, dr_rivera, dr_chen, chen_also_treats
):
    sign(exam, dr_rivera)
    chen_client.post(f"/exams/{exam.pk}/addenda/", {"text": "Second opinion."})
    assert exam.addenda.get().author == dr_chen.user


def test_attaching_a_gait_report_to_the_exam(rivera_client, exam):
    response = rivera_client.post(f"/exams/{exam.pk}/attachments/", {
        "kind": "gait", "caption": "3D gait report", "file": SimpleUploadedFile("gait.pdf", b"%PDF-1.4"),
    })
    assert response.status_code == 302 and response.url.endswith("#gait")
    attachment = ExamAttachment.objects.get()
    assert attachment.document.kind == "gait" and attachment.caption == "3D gait report"
    assert b"3D gait report" in rivera_client.get(f"/exams/{exam.pk}/").content


def test_book_plan_previews_then_books_the_series(rivera_client, exam, follow_up):
    post_section(rivera_client, exam, "plan", {"frequency_per_week": "2", "weeks": "3"})
    form = rivera_client.get(f"/exams/{exam.pk}/plan/book/")
    assert form.status_code == 200 and form.context["form"].initial["weeks"] == 3
    assert len(form.context["form"].initial["weekdays"]) == 2

    start = timezone.localtime(timezone.now() + timedelta(days=14)).replace(hour=10, minute=0)
    start -= timedelta(days=start.weekday())  # a Monday
    data = {"visit_type": follow_up.pk, "first_start": start.strftime("%Y-%m-%dT%H:%M"), "weekdays": ["0", "3"],
            "weeks": "3"}
    preview = rivera_client.post(f"/exams/{exam.pk}/plan/book/", {**data, "action": "preview"})
    assert len(preview.context["preview"]) == 6 and not Appointment.objects.filter(series__isnull=False).exists()
    booked = rivera_client.post(f"/exams/{exam.pk}/plan/book/", {**data, "action": "book"})
    assert len(booked.context["booked"]) == 6 and b"6 visits booked" in booked.content
    assert Appointment.objects.filter(series__isnull=False, patient=exam.patient).count() == 6


# The exam with its patient/visit/clinician, addenda, attachments, the patient's submitted intake and open red
# flags (what they reported, at the top), the visit's red-flag re-screens, the audit row of the read (the session
# and the signed-in user come from the cache once warm), the working diagnoses, and the clinic's ODI in force (which
# wording today's ODI sections are entered for).
EXAM_PAGE_QUERIES = 10


@pytest.mark.parametrize("addenda", [1, 6])
def test_exam_page_query_count_does_not_grow_with_addenda_or_red_flags(
    rivera_client, exam, dr_rivera, django_assert_num_queries, addenda
):
    intake = submitted_intake(exam.patient, exam.appointment)
    for i in range(addenda):
        RedFlagAlert.objects.create(patient=exam.patient, intake=intake, urgency="urgent",
                                    flags=[{"label": f"Flag {i}", "urgency": "urgent"}])
        exam_services.red_flag_screen_record(patient=exam.patient, appointment=exam.appointment, exam=exam,
                                             answers={}, none_apply=True, actor=dr_rivera.user)
    sign(exam, dr_rivera)
    for i in range(addenda):
        exam_services.exam_add_addendum(exam=exam, author=dr_rivera.user, text=f"Note {i}")
    rivera_client.get("/robots.txt")  # the session's first write and the user's first read (then cached) done
    with django_assert_num_queries(EXAM_PAGE_QUERIES):
        response = rivera_client.get(f"/exams/{exam.pk}/")
    assert response.content.count(b"Addendum by") == addenda
    assert response.content.count(b"Red flag: Urgent") == addenda
    assert response.content.count(b"None of these</td>") == addenda  # each re-screen listed


def test_a_save_over_a_newer_version_of_the_section_is_refused_with_who_and_when(rivera_client, client, exam,
                                                                                 make_user):
    admin = make_user(roles.ADMIN, email="admin.conflict@stride.test", first_name="Alex", last_name="Admin")
    sign_in(client, admin)
    page = rivera_client.get(f"/exams/{exam.pk}/").content.decode()
    assert re.search(r'name="revision" value="0"', page)  # each section form carries the revision it shows

    first = post_section(client, exam, "history", {"onset_notes": "Fell on the ice", "revision": "0"})
    assert first.status_code == 200 and first.json()["revision"] == 1
    stale = post_section(rivera_client, exam, "history", {"onset_notes": "Gradual onset", "revision": "0"})
    assert stale.status_code == 409 and stale.json()["conflict"] is True
    assert "Alex Admin saved History" in stale.json()["message"]
    exam.refresh_from_db()
    assert exam.findings["history"]["onset_notes"] == "Fell on the ice"  # nothing silently overwritten

    plain = post_section(rivera_client, exam, "history", {"onset_notes": "Gradual onset", "revision": "0"},
                         as_json=False)
    assert plain.status_code == 409 and b"Alex Admin saved History" in plain.content
    assert b"Gradual onset" in plain.content  # what the clinician typed is still in the form
    fresh = post_section(rivera_client, exam, "history", {"onset_notes": "Gradual onset", "revision": "1"})
    assert fresh.status_code == 200 and fresh.json()["revision"] == 2


@pytest.mark.parametrize("revision", [None, "", "latest", "-1"])
def test_a_save_that_does_not_say_its_revision_is_refused_and_keeps_what_was_typed(
    rivera_client, client, exam, make_user, revision
):
    """Without the revision it started from, a save would replace a colleague's newer one unseen."""
    sign_in(client, make_user(roles.ADMIN, email="admin.newer@stride.test", first_name="Alex", last_name="Admin"))
    assert post_section(client, exam, "history", {"onset_notes": "Fell on the ice"}).status_code == 200

    typed = {"onset_notes": "Gradual onset"} if revision is None else {"onset_notes": "Gradual onset",
                                                                        "revision": revision}
    answer = post_section(rivera_client, exam, "history", typed, revision=None)
    assert answer.status_code == 400 and answer.json()["saved"] is False
    assert "which version of this section" in answer.json()["errors"]["revision"][0]
    page = post_section(rivera_client, exam, "history", typed, revision=None, as_json=False)
    assert page.status_code == 400
    assert b"which version of this section you started from" in page.content
    assert b"Gradual onset" in page.content  # what the clinician typed is still in the form
    exam.refresh_from_db()
    assert exam.findings["history"]["onset_notes"] == "Fell on the ice" and exam.revision_of("history") == 1

    saved = post_section(rivera_client, exam, "history", {"onset_notes": "Gradual onset", "revision": "1"})
    assert saved.status_code == 200 and saved.json()["revision"] == 2
    plain = post_section(rivera_client, exam, "history", {"onset_notes": "Gradual, after a long run", "revision": "2"},
                         as_json=False)
    assert plain.status_code == 302
    exam.refresh_from_db()
    assert exam.findings["history"]["onset_notes"] == "Gradual, after a long run" and exam.revision_of("history") == 3


def test_the_service_refuses_a_section_save_without_a_revision(exam, dr_rivera):
    from django.core.exceptions import ValidationError

    with pytest.raises(TypeError):
        exam_services.exam_save_section(exam=exam, section="plan", data={"weeks": 6}, actor=dr_rivera.user)
    with pytest.raises(ValidationError) as refused:
        exam_services.exam_save_section(exam=exam, section="plan", data={"weeks": 6}, actor=dr_rivera.user,
                                        revision=None)
    assert "revision" in refused.value.message_dict
    saved = exam_services.exam_save_section(exam=exam, section="plan", data={"weeks": 6}, actor=dr_rivera.user,
                                            revision=0)
    assert saved.findings["plan"] == {"weeks": 6} and saved.revision_of("plan") == 1
