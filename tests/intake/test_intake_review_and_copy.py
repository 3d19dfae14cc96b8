"""Before signing, the patient reviews every answer; after submitting, they keep a copy (printed, or a link by
email that expires)."""

import datetime
import re
from unittest import mock

import pytest
from django.core import mail, signing
from django.utils import timezone

from intake import links, services
from intake.models import IntakeForm
from notifications.models import Notification
from tests.intake.intake_fixtures import as_post, save_steps, valid_answers
from tests.intake.test_intake_pages import html, url

COPY_LINK = re.compile(r"https?://[^/\s]+(/intake/copy/[^/\s]+/)")


@pytest.fixture
def at_consent(intake):
    save_steps(intake, skip=("consent",))
    return links.token_for(intake)


@pytest.fixture
def submitted(intake, deliver_now, django_capture_on_commit_callbacks):
    save_steps(intake)
    with django_capture_on_commit_callbacks(execute=True):
        services.intake_submit(intake=intake)
    return intake


def _email_copy(client, token, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(url(token, "done") + "email-copy/", follow=True)


# --- The review before signing ---------------------------------------------------------------------------


def test_the_last_step_shows_every_answer_grouped_by_step_with_edit_links(client, at_consent,
                                                                        django_assert_max_num_queries):
    with django_assert_max_num_queries(2):  # the form; the questionnaires in force
        response = client.get(url(at_consent, "consent"))
    page = html(response)
    review = page[page.index("Check your answers"):page.index("<form")]
    titles = re.findall(r'<h3 class="intake-review-title">\d\. ([^<]+)</h3>', review)
    assert titles == ["Your details", "Health history", "This problem", "Safety questions", "Daily activities",
                      "Your goals"]
    for step in ("contact", "history", "complaint", "red_flags", "outcomes", "goals"):
        assert f'href="{url(at_consent, step)}?review=1"' in review
    assert "Edit<span class=\"visually-hidden\"> Health history</span>" in review
    assert "Ibuprofen 400 mg when needed" in review and "Run a half marathon again" in review
    assert "None of these apply to me</dt><dd>Yes" in review
    assert "Left buttock: pain, tingling; Left calf: tingling" in review
    assert "Type your full name" in page[page.index("<form"):]  # the signature follows the review


def test_editing_a_step_from_the_review_saves_it_and_comes_back_to_the_review(client, at_consent, intake):
    page = html(client.get(url(at_consent, "history") + "?review=1"))
    assert "Save and back to review" in page and '<input type="hidden" name="review" value="1">' in page

    history = {**valid_answers()["history"], "medications": "Naproxen 250 mg twice a day"}
    response = client.post(url(at_consent, "history"), {**as_post(history, "history"), "review": "1"})
    assert response.status_code == 302 and response.url == url(at_consent, "consent") + "?saved=history"
    assert "Naproxen 250 mg twice a day" in html(client.get(url(at_consent, "consent")))
    intake.refresh_from_db()
    assert intake.answers["history"]["medications"] == "Naproxen 250 mg twice a day" and not intake.is_submitted


def test_a_step_saved_without_the_review_moves_on_to_the_next(client, at_consent):
    response = client.post(url(at_consent, "history"), as_post(valid_answers()["history"], "history"))
    assert response.url == url(at_consent, "complaint") + "?saved=history"
    assert "Save and back to review" not in html(client.get(url(at_consent, "history")))


# --- A copy after submitting ----------------------------------------------------------------------------------


def test_the_done_page_offers_a_printable_copy_and_to_email_one(client, submitted, token,
                                                                django_assert_max_num_queries):
    with django_assert_max_num_queries(2):  # the form with its visit and patient, its alerts
        page = html(client.get(url(token, "done")))
    assert f'href="{url(token, "done")}answers/"' in page and "Email me a copy" in page
    assert "m•••@example.com" in page and "maya@example.com" not in page

    with django_assert_max_num_queries(2):  # the form; the questionnaires in force
        response = client.get(url(token, "done") + "answers/")
    copy = html(response)
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    assert 'class="print-header"' in copy and "Maya Okafor" in copy  # name and date on every printed page
    assert "Ibuprofen 400 mg when needed" in copy and "Signed “Maya Okafor”" in copy and "data-print" in copy
    assert "Edit" not in copy
    # The body map drawn as marked, a region with two kinds split in two, and the marks in words.
    assert 'aria-label="Body map, Back view"' in copy and copy.count("<title>Left buttock</title>") == 2
    assert "Left buttock (pain, tingling)" in copy


def test_email_me_a_copy_sends_a_private_expiring_link_not_the_answers(client, submitted, token,
                                                                      django_capture_on_commit_callbacks,
                                                                      django_assert_max_num_queries):
    response = _email_copy(client, token, django_capture_on_commit_callbacks)
    assert "We are emailing a link to your answers to m•••@example.com." in html(response)

    (row,) = Notification.objects.filter(kind=Notification.Kind.INTAKE_COPY)
    assert (row.status, row.to_address, row.channel) == (Notification.Status.SENT, "maya@example.com", "email")
    (email,) = [m for m in mail.outbox if m.subject == "A copy of your intake form"]
    assert "it works for 7 days" in email.body
    for private in ("Ibuprofen", "half marathon", "buttock", "Aetna"):
        assert private not in email.body and private not in email.alternatives[0][0]
    path = COPY_LINK.search(email.body).group(1)
    with django_assert_max_num_queries(2):  # the form; the questionnaires in force
        copy = client.get(path)
    assert copy.status_code == 200 and "Ibuprofen 400 mg when needed" in html(copy)


def test_the_emailed_copy_link_expires_after_seven_days(client, submitted):
    sent = (timezone.now() - links.COPY_MAX_AGE - datetime.timedelta(minutes=1)).timestamp()
    with mock.patch("django.core.signing.time.time", return_value=sent):
        old = links.copy_path(submitted)
    response = client.get(old)
    assert response.status_code == 410 and "works for 7 days after we emailed it" in html(response)
    assert "Ibuprofen" not in html(response)
    assert client.get(links.copy_path(submitted)).status_code == 200


def test_the_copy_link_opens_nothing_else_and_nothing_before_submitting(client, intake, token):
    assert client.get(f"/intake/copy/{token}/").status_code == 404  # the form's own token is not a copy link
    assert client.get(links.copy_path(intake)).status_code == 404  # not submitted yet
    forged = signing.dumps(intake.pk + 1, salt=links.COPY_SALT)[:-2] + "xx"
    assert client.get(f"/intake/copy/{forged}/").status_code == 404
    assert client.get(url(token, "done") + "answers/").url == url(token)  # not submitted: back to the form


def test_copies_by_email_are_limited_to_three_per_form(client, submitted, token, django_capture_on_commit_callbacks):
    for _n in range(3):
        _email_copy(client, token, django_capture_on_commit_callbacks)
    response = _email_copy(client, token, django_capture_on_commit_callbacks)
    assert "We have already emailed you 3 copies." in html(response)
    assert Notification.objects.filter(kind=Notification.Kind.INTAKE_COPY).count() == 3


def test_without_an_email_on_file_the_copy_is_printed_instead(client, submitted, token,
                                                             django_capture_on_commit_callbacks):
    submitted.patient.email = ""
    submitted.patient.preferred_channel = "sms"
    submitted.patient.save()
    assert "Email me a copy" not in html(client.get(url(token, "done")))
    response = _email_copy(client, token, django_capture_on_commit_callbacks)
    assert "We have no email address for you. Print your answers instead" in html(response)
    assert not Notification.objects.filter(kind=Notification.Kind.INTAKE_COPY).exists()


def test_a_form_filled_in_at_the_clinic_shows_no_copy_on_the_clinic_device(client, submitted, token):
    IntakeForm.objects.filter(pk=submitted.pk).update(filled_in_clinic=True)
    page = html(client.get(url(token, "done")))
    assert "See and print your answers" not in page and "Email me a copy" in page
    assert client.get(url(token, "done") + "answers/").status_code == 404
