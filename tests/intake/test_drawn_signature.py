"""A drawn signature instead of the typed one: the consent step takes a PNG drawn in the box, checks it, keeps it
with the form (never among the answers, never at a public address), and shows it on the clinician's summary and
the patient's copy; who may fetch it follows the summary's and the copy's rules."""

import base64
import re

import pytest

from clinic.models import AuditEvent
from intake import links, signatures
from intake.models import IntakeForm, IntakeSignature
from patients.models import Consent
from tests.factories import PatientFactory, sign_in
from tests.intake.intake_fixtures import as_post, save_steps, valid_answers
from tests.intake.signature_pngs import drawn, png
from tests.intake.test_intake_pages import field_block, html, url


@pytest.fixture
def at_consent(intake):
    """Every step saved but the consent and signature."""
    return save_steps(intake, skip=("consent",))


def consent(**changes):
    return {**as_post(valid_answers()["consent"], "consent"), "signature_method": "drawn",
            "signature_drawing": drawn(), **changes}


def test_a_drawn_signature_is_kept_with_the_submitted_form_and_records_the_printed_name(client, token, at_consent):
    data = consent()
    response = client.post(url(token, "consent"), data)
    assert response.status_code == 302 and response.url == url(token) + "done/?saved=consent"
    intake = IntakeForm.objects.get(pk=at_consent.pk)
    assert intake.is_submitted and intake.signed_name == "Maya Okafor"
    assert bytes(IntakeSignature.objects.get(intake=intake).png) == png()
    assert intake.answers["consent"]["signature_method"] == "drawn"
    assert "signature_drawing" not in intake.answers["consent"]  # the image is kept apart from the answers
    assert set(Consent.objects.filter(patient=intake.patient).values_list("signed_name", flat=True)) == {"Maya Okafor"}
    write = AuditEvent.objects.get(object_type="intake.IntakeSignature", action="create")
    assert write.patient_id == intake.patient_id and "PNG" not in str(write.changes)  # recorded, image left out


def _noise_url():
    return signatures.data_url(png(width=400, height=160, noise=True))  # over 200 KB: random pixels barely pack


@pytest.mark.parametrize(("drawing", "message"), [
    (drawn(strokes=()), "The signature box is empty."),
    (drawn(strokes=((100, 50, 101, 51),)), "The signature box is empty."),  # one speck is not a signature
    ("", "Draw your signature in the box, or choose to type your name instead."),
    (_noise_url(), "The signature image is too large"),
    ("data:image/jpeg;base64," + base64.b64encode(b"\xff\xd8\xff\xe0 a photo").decode(),
     "The signature must be a PNG image drawn in the box."),
    ("data:image/png;base64," + base64.b64encode(b"GIF89a not a png").decode(),
     "The signature must be a PNG image drawn in the box."),
    ("data:image/png;base64,%%%not base64", "The signature image is damaged."),
    (drawn(colour_type=2), "The signature must be drawn in the box on this page."),
])
def test_a_blank_oversized_or_foreign_drawing_is_refused_by_the_box_and_the_other_answers_are_kept(
        client, token, at_consent, drawing, message):
    response = client.post(url(token, "consent"), consent(signature_drawing=drawing, signed_name="Maya Okafor"))
    assert response.status_code == 400
    page = html(response)
    assert message in field_block(page, "signature_drawing")  # the message sits by the drawing box
    assert re.search(r'name="signature_method" value="drawn"[^>]*checked', page)
    assert re.search(r'name="signed_name" value="Maya Okafor"', page)
    assert re.search(r'name="consent_treatment"[^>]*checked', page) and re.search(r'name="answers_true"[^>]*checked', page)
    intake = IntakeForm.objects.get(pk=at_consent.pk)
    assert not intake.is_submitted and not IntakeSignature.objects.exists()


def test_choosing_to_type_the_name_signs_without_a_drawing_and_keeps_none(client, token, at_consent):
    # A drawing left in the box from before is not kept once the patient chooses to type their name.
    response = client.post(url(token, "consent"), consent(signature_method="typed"))
    assert response.status_code == 302
    intake = IntakeForm.objects.get(pk=at_consent.pk)
    assert intake.is_submitted and intake.answers["consent"]["signature_method"] == "typed"
    assert not IntakeSignature.objects.exists()


def test_without_javascript_the_choice_is_not_asked_and_the_typed_name_signs(client, token, at_consent):
    page = html(client.get(url(token, "consent")))
    assert 'class="intake-field js-only"' in page  # the choice and the box need the page's script
    assert re.search(r'name="signature_method" value="typed"[^>]*checked', page)
    data = as_post(valid_answers()["consent"], "consent")  # what a browser without script posts: no choice
    assert client.post(url(token, "consent"), data).status_code == 302
    assert IntakeForm.objects.get(pk=at_consent.pk).answers["consent"]["signature_method"] == "typed"


def test_a_saved_drawing_comes_back_in_the_box_when_the_form_cannot_be_submitted_yet(
        client, token, intake, django_assert_max_num_queries):
    save_steps(intake, skip=("outcomes", "consent"))
    IntakeForm.objects.filter(pk=intake.pk).update(current_step="consent")
    response = client.post(url(token, "consent"), consent())
    assert response.status_code == 400 and "Some answers are still needed before you can submit" in html(response)
    assert f'value="{drawn()}"' in html(response)  # the drawing is still in the box
    save_steps(intake, only=("outcomes",))  # the patient fills in the step they missed, and comes back
    with django_assert_max_num_queries(3):  # the form, the questionnaires in force, the drawing kept with it
        page = html(client.get(url(token, "consent")))
    assert f'value="{drawn()}"' in page and "checked" in page
    assert not IntakeForm.objects.get(pk=intake.pk).step_drafts  # the step itself was saved, the draft cleared


def test_the_api_takes_a_drawn_signature_and_answers_a_bad_one_with_a_json_error(client, token, at_consent):
    def put(body):
        return client.put(f"/api/v1/intake/{token}/steps/consent/", body, content_type="application/json")

    body = {**valid_answers()["consent"], "signature_method": "drawn"}
    bad = put({**body, "signature_drawing": drawn(strokes=())})
    assert bad.status_code == 400
    assert bad.json()["errors"]["signature_drawing"][0].startswith("The signature box is empty.")
    saved = put({**body, "signature_drawing": drawn()})
    assert saved.status_code == 200 and "signature_drawing" not in saved.json()["answers"]
    assert client.post(f"/api/v1/intake/{token}/submit/").status_code == 200
    assert bytes(IntakeSignature.objects.get(intake=at_consent).png) == png()


# --- Who sees it ---------------------------------------------------------------------------------------------


@pytest.fixture
def signed(client, token, at_consent):
    assert client.post(url(token, "consent"), consent()).status_code == 302
    client.logout()
    return IntakeForm.objects.get(pk=at_consent.pk)


def test_the_clinicians_summary_shows_the_drawing_served_to_them_alone(client, signed, django_assert_max_num_queries):
    sign_in(client, signed.appointment.clinician.user)
    with django_assert_max_num_queries(6):  # user, the form, its scores, its alerts, the audit row, the wording its
        # instruments were answered on (no image read)
        page = html(client.get(f"/intake/forms/{signed.pk}/summary/"))
    assert f'<img class="intake-signature-image" src="/intake/forms/{signed.pk}/signature/"' in page
    assert 'alt="Signature drawn by Maya Okafor"' in page and "Printed name: Maya Okafor." in page
    with django_assert_max_num_queries(5):  # session, user, the form with its access, the image, the audit row
        image = client.get(f"/intake/forms/{signed.pk}/signature/")
    assert image.status_code == 200 and image["Content-Type"] == "image/png" and image.content == png()
    assert "no-store" in image["Cache-Control"]
    assert AuditEvent.objects.filter(action="view", actor=signed.appointment.clinician.user,
                                     changes={"part": "drawn signature"}).exists()


@pytest.mark.parametrize("who", ["front_desk", "other_clinician", "patient_user", "anonymous"])
def test_the_front_desk_another_clinician_or_a_patient_cannot_fetch_the_drawing(client, signed, who, front_desk,
                                                                               dr_chen, patient_user):
    user = {"front_desk": front_desk, "other_clinician": dr_chen.user, "patient_user": patient_user}.get(who)
    if user:
        sign_in(client, user)
    response = client.get(f"/intake/forms/{signed.pk}/signature/")
    assert response.status_code in (302, 403, 404) and response.content != png()
    assert response["Content-Type"] != "image/png"


def test_the_patients_copy_shows_the_drawing_from_their_own_links_only(client, signed, token):
    copy = html(client.get(url(token, "done") + "answers/"))
    src = url(token, "done") + "answers/signature/"
    assert f'<img class="intake-signature-image" src="{src}"' in copy and "Printed name: Maya Okafor." in copy
    assert client.get(src).content == png()
    emailed = links.copy_path(signed)
    assert f'src="{emailed}signature/"' in html(client.get(emailed))
    assert client.get(emailed + "signature/").content == png()

    other = IntakeForm.objects.create(patient=PatientFactory(), status=IntakeForm.Status.SUBMITTED,
                                      appointment=None)
    other_token = links.token_for(other)
    assert client.get(url(other_token, "done") + "answers/signature/").status_code == 404  # theirs: typed, none
    assert client.get(url(token[:-2] + "xx", "done") + "answers/signature/").status_code == 404  # tampered


def test_a_form_filled_in_at_the_clinic_shows_no_drawing_to_whoever_holds_the_device(client, signed, token):
    IntakeForm.objects.filter(pk=signed.pk).update(filled_in_clinic=True)
    assert client.get(url(token, "done") + "answers/signature/").status_code == 404


def test_a_typed_signature_has_no_image(client, token, at_consent):
    assert client.post(url(token, "consent"), as_post(valid_answers()["consent"], "consent")).status_code == 302
    sign_in(client, at_consent.appointment.clinician.user)
    assert "intake-signature-image" not in html(client.get(f"/intake/forms/{at_consent.pk}/summary/"))
    assert client.get(f"/intake/forms/{at_consent.pk}/signature/").status_code == 404
    assert client.get(url(token, "done") + "answers/signature/").status_code == 404


def test_a_small_file_that_would_unpack_into_more_than_its_stated_size_is_refused_unread():
    import struct
    import zlib

    from tests.intake.signature_pngs import MAGIC, _chunk

    header = struct.pack(">IIBBBBB", 10, 10, 8, 6, 0, 0, 0)  # 10 x 10: 410 bytes of rows
    bomb = MAGIC + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(b"\x01" * 50_000_000)) + _chunk(b"IEND", b"")
    assert len(bomb) < 100_000
    with pytest.raises(signatures.SignatureProblem, match="damaged"):
        signatures.png_from_data_url(signatures.data_url(bomb))
    assert signatures.png_from_data_url(drawn()) == png()
