"""The clinic's own texts (privacy notice, consents, cancellation policy) are published in the staff admin as
versions: patients read the one in force, and each consent keeps pointing at the words that were agreed to."""

import pytest
from django.test import Client

from clinic.models import ClinicText
from patients.models import Consent
from patients.services import consent_record
from tests.factories import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(admin_user):
    return sign_in(Client(), admin_user)


def _publish(admin_client, **fields):
    return admin_client.post("/admin/clinic/clinictext/add/", {"kind": "privacy_notice", "body_es": "", **fields})


def test_a_new_clinic_has_a_privacy_notice_anyone_can_read_before_agreeing(client):
    page = client.get("/policies/privacy-notice/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Notice of privacy practices" in html and "Version 1" in html and "ask for a copy of your record" in html
    assert client.get("/policies/no-such-thing/").status_code == 404
    notice = ClinicText.objects.get(kind="privacy_notice")
    assert "Este aviso describe" in notice.paragraphs_in("es")[0]  # the Spanish wording ships with it


def test_an_admin_publishes_new_wording_as_the_next_version_and_the_old_one_stays(admin_client, client):
    form = admin_client.get("/admin/clinic/clinictext/add/?kind=privacy_notice")
    assert "ask for a copy of your record" in form.content.decode()  # starts from the version in force
    response = _publish(admin_client, title="Notice of privacy practices",
                        body="We protect your health information.\n\nAsk our privacy officer, Dana, anything.")
    assert response.status_code == 302, response.context["adminform"].form.errors

    current = client.get("/policies/privacy-notice/").content.decode()
    assert "Version 2" in current and "Ask our privacy officer, Dana" in current
    earlier = client.get("/policies/privacy-notice/v1/").content.decode()
    assert "ask for a copy of your record" in earlier and "earlier version" in earlier
    assert ClinicText.objects.get(kind="privacy_notice", version=2).published_by.email == "boss@stride.test"

    listing = admin_client.get("/admin/clinic/clinictext/?kind__exact=privacy_notice").content.decode()
    assert listing.count('alt="True"') == 1  # one version in force


def test_published_wording_is_never_changed_in_place(admin_client):
    notice = ClinicText.objects.get(kind="privacy_notice")
    admin_client.post(f"/admin/clinic/clinictext/{notice.pk}/change/", {"kind": "privacy_notice", "title": "X",
                                                                       "body": "Changed"})
    notice.refresh_from_db()
    assert notice.body.startswith("This notice describes")
    notice.body = "Changed"
    with pytest.raises(PermissionError):
        notice.save()


def test_a_publication_with_no_wording_is_refused_next_to_the_field(admin_client):
    response = _publish(admin_client, title="Notice", body="")
    assert response.status_code == 200 and "body" in response.context["adminform"].form.errors
    assert ClinicText.objects.filter(kind="privacy_notice").count() == 1


def test_a_consent_records_the_version_agreed_to_and_the_chart_links_it(admin_client, desk_client, patient):
    consent_record(patient=patient, kind=Consent.Kind.PRIVACY, signed_name="Maya Okafor", actor=None)
    _publish(admin_client, title="Notice of privacy practices", body="New wording.")
    later = consent_record(patient=patient, kind=Consent.Kind.PRIVACY, signed_name="Maya Okafor", actor=None)
    first = Consent.objects.exclude(pk=later.pk).get()
    assert (first.text.version, later.text.version) == (1, 2)

    chart = desk_client.get(f"/patients/{patient.mrn}/").content.decode()
    assert "/policies/privacy-notice/v1/" in chart and "/policies/privacy-notice/v2/" in chart


def test_the_consent_step_links_the_wording_it_asks_the_patient_to_agree_to(client, intake, token):
    from django.urls import reverse

    from tests.intake.intake_fixtures import save_steps

    save_steps(intake, skip=("consent",))
    page = client.get(reverse("intake:step", kwargs={"token": token, "step": "consent"})).content.decode()
    assert 'href="/policies/privacy-notice/"' in page and 'href="/policies/treatment-consent/"' in page
    assert client.get("/policies/privacy-notice/").status_code == 200


def test_a_submitted_intake_records_the_versions_of_the_wording_agreed_to(admin_client, intake):
    from intake import services
    from tests.intake.intake_fixtures import save_steps

    _publish(admin_client, title="Notice of privacy practices", body="Version two wording.")
    services.intake_submit(intake=save_steps(intake))
    versions = {c.kind: c.text.version for c in Consent.objects.filter(patient=intake.patient).select_related("text")}
    assert versions["privacy"] == 2 and versions["treatment"] == 1
