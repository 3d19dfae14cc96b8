import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from patients.models import Patient
from tests.factories import PATIENT_FORM as VALID
from tests.factories import PatientFactory


def _names(response):
    return [p.full_name for p in response.context["page"].object_list]


@pytest.fixture
def crowd(db):
    return [
        PatientFactory(first_name="Maya", last_name="Okafor", date_of_birth=datetime.date(1990, 3, 4), mobile_phone="+16175550101"),
        PatientFactory(first_name="Liam", last_name="Okonkwo", date_of_birth=datetime.date(1985, 7, 9), mobile_phone="+16175550102"),
        PatientFactory(first_name="Ruby", last_name="Chen", date_of_birth=datetime.date(1990, 3, 4), mobile_phone="+16175550103"),
    ]


def test_search_by_name_prefix_finds_matching_patients(desk_client, crowd):
    assert sorted(_names(desk_client.get("/patients/", {"q": "oko"}))) == ["Liam Okonkwo"]
    assert sorted(_names(desk_client.get("/patients/", {"q": "ok"}))) == ["Liam Okonkwo", "Maya Okafor"]
    assert _names(desk_client.get("/patients/", {"q": "maya oka"})) == ["Maya Okafor"]
    assert _names(desk_client.get("/patients/", {"q": "Okafor, Maya"})) == ["Maya Okafor"]


def test_search_typed_with_htmx_answers_only_the_results_table(desk_client, crowd):
    partial = desk_client.get("/patients/", {"q": "oko"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and partial.lstrip().startswith("<table") and "Okonkwo, Liam" in partial
    assert "Okafor" not in partial
    page = desk_client.get("/patients/", {"q": "oko"}).content.decode()
    assert "<html" in page and "Okonkwo, Liam" in page


def test_search_by_date_of_birth_in_either_format(desk_client, crowd):
    assert sorted(_names(desk_client.get("/patients/", {"q": "03/04/1990"}))) == ["Maya Okafor", "Ruby Chen"]
    assert sorted(_names(desk_client.get("/patients/", {"q": "1990-03-04"}))) == ["Maya Okafor", "Ruby Chen"]


def test_search_by_phone_ignores_formatting(desk_client, crowd):
    assert _names(desk_client.get("/patients/", {"q": "(617) 555-0102"})) == ["Liam Okonkwo"]
    assert _names(desk_client.get("/patients/", {"q": "0103"})) == ["Ruby Chen"]


def test_search_by_record_number_with_or_without_dash(desk_client, crowd):
    mrn = crowd[2].mrn
    assert _names(desk_client.get("/patients/", {"q": mrn})) == ["Ruby Chen"]
    assert _names(desk_client.get("/patients/", {"q": mrn.replace("-", "").lower()})) == ["Ruby Chen"]


def test_archived_patients_are_hidden_unless_asked_for(desk_client, crowd):
    crowd[0].status = Patient.Status.ARCHIVED
    crowd[0].save()
    assert _names(desk_client.get("/patients/", {"q": "oka"})) == []
    assert _names(desk_client.get("/patients/", {"q": "oka", "archived": "1"})) == ["Maya Okafor"]


def test_list_is_paginated_25_to_a_page(desk_client, db):
    PatientFactory.create_batch(30)
    first = desk_client.get("/patients/")
    assert len(first.context["page"].object_list) == 25
    assert b"Page 1 of 2" in first.content
    assert len(desk_client.get("/patients/", {"page": 2}).context["page"].object_list) == 5


def test_create_patient_stores_phone_in_e164_and_opens_chart(desk_client):
    response = desk_client.post("/patients/new/", VALID)
    patient = Patient.objects.get(last_name="Kowalski")
    assert response.status_code == 302 and response.url == f"/patients/{patient.mrn}/"
    assert patient.mobile_phone == "+16175550199"
    assert len(patient.mrn) == 9 and patient.mrn[4] == "-"
    chart = desk_client.get(response.url)
    assert b"Lena Kowalski" in chart.content and b"(617) 555-0199" in chart.content


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("mobile_phone", "12345", "phone number"),
        ("email", "not-an-email", "valid email"),
        ("date_of_birth", "2999-01-01", "cannot be in the future"),
        ("first_name", "", "This field is required"),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_nothing_typed_is_lost(desk_client, field, value, message):
    data = {**VALID, field: value}
    response = desk_client.post("/patients/new/", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors and message in " ".join(form.errors[field])
    html = response.content.decode()
    assert f'id="error_1_id_{field}"' in html  # rendered under the field, not only at the top
    assert 'value="Kowalski"' in html and 'value="lena.k@example.com"' in html or field == "email"
    assert not Patient.objects.filter(last_name="Kowalski").exists()


def test_sms_reminders_need_a_mobile_number(desk_client):
    response = desk_client.post("/patients/new/", {**VALID, "mobile_phone": "", "reminder_sms_consent": "on"})
    assert "Add a mobile number" in " ".join(response.context["form"].errors["mobile_phone"])


@pytest.mark.parametrize(
    "change",
    [
        {},  # same name and date of birth
        {"first_name": "Helena", "date_of_birth": "1970-01-01", "mobile_phone": ""},  # same email
        {"first_name": "Helena", "date_of_birth": "1970-01-01", "email": "other@example.com"},  # same mobile
    ],
)
def test_a_likely_duplicate_is_warned_about_before_creating(desk_client, change):
    existing = PatientFactory(
        first_name="Lena", last_name="Kowalski", date_of_birth=datetime.date(1988, 4, 12),
        email="lena.k@example.com", mobile_phone="+16175550199",
    )
    data = {**VALID, **change}
    response = desk_client.post("/patients/new/", data)
    assert response.status_code == 200
    assert b"This may be a patient we already have" in response.content
    assert existing.mrn.encode() in response.content
    assert Patient.objects.count() == 1

    confirmed = desk_client.post("/patients/new/", {**data, "confirm_not_duplicate": "on"})
    assert confirmed.status_code == 302
    assert Patient.objects.count() == 2


def test_no_duplicate_warning_for_a_new_person(desk_client, crowd):
    response = desk_client.post("/patients/new/", VALID)
    assert response.status_code == 302


def test_edit_keeps_record_number_and_saves_changes(desk_client, patient):
    data = {**VALID, "first_name": patient.first_name, "last_name": "Okafor-Reyes"}
    response = desk_client.post(f"/patients/{patient.mrn}/edit/", data)
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.last_name == "Okafor-Reyes"


def test_archive_hides_the_patient_and_restore_brings_them_back(desk_client, patient):
    desk_client.post(f"/patients/{patient.mrn}/archive/")
    patient.refresh_from_db()
    assert patient.is_archived
    assert b"Archived" in desk_client.get(f"/patients/{patient.mrn}/").content
    desk_client.post(f"/patients/{patient.mrn}/archive/", {"restore": "1"})
    patient.refresh_from_db()
    assert not patient.is_archived
    assert Patient.objects.filter(pk=patient.pk).exists()


def test_document_upload_and_download(desk_client, patient):
    upload = SimpleUploadedFile("referral.pdf", b"%PDF-1.4 referral", content_type="application/pdf")
    response = desk_client.post(
        f"/patients/{patient.mrn}/documents/", {"kind": "referral", "title": "Dr. Ward referral", "file": upload}
    )
    assert response.status_code == 302
    document = patient.documents.get()
    assert document.size_bytes == len(b"%PDF-1.4 referral")
    chart = desk_client.get(f"/patients/{patient.mrn}/")
    assert b"Dr. Ward referral" in chart.content
    download = desk_client.get(document.get_absolute_url())
    assert b"".join(download.streaming_content) == b"%PDF-1.4 referral"
    assert download["Content-Disposition"].startswith("attachment")  # never rendered on our origin
    assert download["X-Content-Type-Options"] == "nosniff"
    other = PatientFactory()
    assert desk_client.get(f"/patients/{other.mrn}/documents/{document.pk}/").status_code == 404  # wrong parent


def test_document_of_the_wrong_type_or_too_large_is_refused_with_a_message(desk_client, patient, settings):
    settings.PATIENT_DOCUMENT_MAX_BYTES = 1024
    exe = SimpleUploadedFile("virus.exe", b"MZ...")
    response = desk_client.post(f"/patients/{patient.mrn}/documents/", {"kind": "other", "file": exe})
    assert response.status_code == 400
    assert "File extension" in " ".join(response.context["document_form"].errors["file"])
    big = SimpleUploadedFile("scan.pdf", b"x" * 2048)
    response = desk_client.post(f"/patients/{patient.mrn}/documents/", {"kind": "imaging", "file": big})
    assert "the limit is" in " ".join(response.context["document_form"].errors["file"])
    assert not patient.documents.exists()


def test_consent_is_recorded_with_signed_name_and_time(desk_client, patient):
    desk_client.post(f"/patients/{patient.mrn}/consents/", {"kind": "treatment", "signed_name": "Maya Okafor"})
    consent = patient.consents.get()
    assert consent.signed_name == "Maya Okafor" and consent.signed_at is not None
    assert b"signed \xe2\x80\x9cMaya Okafor\xe2\x80\x9d" in desk_client.get(f"/patients/{patient.mrn}/").content


def test_unknown_record_number_is_404(desk_client, patient):
    assert desk_client.get("/patients/ZZZZ-ZZZZ/").status_code == 404
    known = desk_client.get(f"/patients/{patient.mrn}/")
    assert known.status_code == 200 and "Okafor" in known.content.decode()


@pytest.mark.parametrize("size", [5, 60])
def test_patient_list_query_count_does_not_grow(desk_client, django_assert_max_num_queries, size):
    PatientFactory.create_batch(size)
    desk_client.get("/robots.txt")  # the session and the signed-in user are then in the cache (clinic.signed_in)
    with django_assert_max_num_queries(2):  # the capped count, the page
        response = desk_client.get("/patients/", {"q": ""})
    assert response.status_code == 200


def test_a_search_with_very_many_matches_counts_only_up_to_the_cap(desk_client, monkeypatch, db):
    from patients.selectors import SearchPaginator

    PatientFactory.create_batch(30)
    monkeypatch.setattr(SearchPaginator, "COUNT_CAP", 20)
    page = desk_client.get("/patients/")
    assert b"Page 1 of 1 \xc2\xb7 more than 20 patients: narrow the search" in page.content
    assert len(page.context["page"].object_list) == 20
    monkeypatch.setattr(SearchPaginator, "COUNT_CAP", 30)
    assert b"Page 1 of 2 \xc2\xb7 30 patients" in desk_client.get("/patients/").content


@pytest.mark.parametrize("documents", [1, 20])
def test_chart_query_count_does_not_grow_with_documents(
    desk_client, front_desk, patient, django_assert_max_num_queries, documents
):
    for i in range(documents):
        patient.documents.create(
            kind="imaging", title=f"MRI {i}", file=SimpleUploadedFile(f"m{i}.pdf", b"%PDF-1.7"), uploaded_by=front_desk
        )
        patient.consents.create(kind="treatment", signed_name="Maya Okafor")
    # session, user with roles; the patient, documents, consents, audit row, all visits (one query); intake
    # forms, red-flag alerts, outcome scores; the patient's messages
    with django_assert_max_num_queries(11):
        response = desk_client.get(f"/patients/{patient.mrn}/")
    assert response.status_code == 200
    assert response.content.count(b"MRI ") == documents


@pytest.mark.parametrize("name,content,message", [
    ("photo.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "SVG"),
    ("letter.pdf", b"<!DOCTYPE html><html><body>hi</body></html>", "Web pages"),
    ("report.pdf", b"MZ\x90\x00 not a pdf at all", "not a real .pdf"),
    ("scan.jpg", b"\x89PNG\r\n\x1a\n a png named jpg", "not a real .jpg"),
])
def test_a_file_is_checked_by_its_content_not_its_name(desk_client, patient, name, content, message):
    upload = SimpleUploadedFile(name, content)
    response = desk_client.post(f"/patients/{patient.mrn}/documents/", {"kind": "other", "file": upload})
    assert response.status_code == 400
    assert message in " ".join(response.context["document_form"].errors["file"])
    assert not patient.documents.exists()


def test_real_files_are_accepted_even_with_xml_metadata_inside(desk_client, patient):
    png = SimpleUploadedFile("still.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    # A PDF from a scanner: XMP metadata, which is XML, near the start of the file.
    pdf = SimpleUploadedFile("scan.pdf", b'%PDF-1.7\n1 0 obj <</Type /Metadata>> stream\n<?xml version="1.0"?>'
                                         b'<x:xmpmeta xmlns:x="adobe:ns:meta/"></x:xmpmeta>\nendstream')
    for upload in (png, pdf):
        response = desk_client.post(f"/patients/{patient.mrn}/documents/", {"kind": "imaging", "file": upload})
        assert response.status_code == 302, upload.name
    assert patient.documents.count() == 2
