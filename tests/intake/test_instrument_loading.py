"""Loading an instrument file (the ODI's licensed wording, LEFS, any summed measure): the file is checked with every
problem reported on its line, versioned, and put in force; the intake asks what is loaded (no ODI until one is),
every response stores the version it was answered on, and demo wording is never scored as the instrument."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from clinic import roles
from intake import checks, instruments, questionnaire, services
from intake.models import Instrument, IntakeForm, OutcomeScore
from tests.factories import sign_in
from tests.intake.intake_fixtures import instrument_file, load, save_steps, valid_answers

pytestmark = pytest.mark.django_db


def problems(text):
    with pytest.raises(instruments.DefinitionError) as exc:
        instruments.read_definition(text)
    return [str(p) for p in exc.value.problems]


def line_of(text, words):
    """The 1-based number (as an editor shows it) of the first line that starts with `words` (after indentation)."""
    return next(n for n, line in enumerate(text.splitlines(), start=1) if line.lstrip(" -").startswith(words))


# --- A valid file -------------------------------------------------------------------------------------------


def test_a_licensed_odi_file_loads_versioned_and_in_force(make_user):
    admin = make_user(roles.ADMIN)
    row = load(instrument_file("odi", licensed=True, version="2.1a-clinic"), "odi.yaml", actor=admin)
    assert (row.code, row.version, row.demo_wording, row.active, row.loaded_by) == ("odi", "2.1a-clinic", False, True,
                                                                                    admin)
    assert "Mapi Research Trust" in row.copyright_notice and row.source_name == "odi.yaml"
    parsed = row.parsed
    assert [item.key for item in parsed.items] == list(instruments.ODI_KEYS)
    assert [o.value for o in parsed.items[0].options] == [0, 1, 2, 3, 4, 5]
    assert (parsed.rule.name, parsed.rule.threshold, parsed.rule.higher_is_better) == ("odi", 10, False)


def test_the_lefs_file_carries_its_sum_rule_direction_range_and_threshold():
    row = load(instrument_file("lefs", licensed=True))
    rule = row.parsed.rule
    assert len(row.parsed.items) == 20 and all([o.value for o in i.options] == [0, 1, 2, 3, 4] for i in row.parsed.items)
    assert (rule.name, rule.higher_is_better, rule.low, rule.high, rule.threshold) == ("sum", True, 0, 80, 9)
    assert "Binkley" in rule.threshold_source


def test_a_new_version_replaces_the_one_in_force_and_the_old_one_stays():
    old = load(instrument_file("odi", licensed=True, version="2.1a"))
    new = load(instrument_file("odi", licensed=True, version="2.1b"))
    old.refresh_from_db()
    assert (old.active, new.active) == (False, True) and Instrument.objects.count() == 2


def test_loading_the_same_version_again_changes_nothing_but_other_content_under_it_is_refused():
    text = instrument_file("odi", licensed=True, version="2.1a")
    first = load(text)
    assert load(text).pk == first.pk and Instrument.objects.count() == 1
    changed = text.replace("Placeholder statement 3", "Another statement 3", 1)
    with pytest.raises(services.InstrumentFileInvalid) as exc:
        load(changed)
    (problem,) = exc.value.problems
    assert problem.line == line_of(changed, "version:") and "already loaded with different wording" in problem.message


# --- Each kind of problem, with its line ------------------------------------------------------------------------


def test_a_yaml_syntax_error_names_its_line():
    text = instrument_file("odi").replace("  rule: odi", "  rule: [odi")
    (message,) = problems(text)
    assert message.startswith(f"Line {line_of(text, 'items:') }:") and "not valid YAML" in message


def test_every_problem_in_a_file_is_reported_each_on_its_line():
    text = instrument_file("lefs", licensed=True)
    text = (text.replace('version: "test-1"', "version: 2.1")  # a number, not text
            .replace("\nwording: licensed", "\nwording: maybe\ncopyrigth: typo")
            .replace('      - {value: 3, text: "3"}', '      - {value: three, text: "3"}', 1)
            .replace("range: [0, 80]", "range: [0, 79]")
            .replace("  - key: activity_5\n", "  - key: activity_4\n"))
    found = problems(text)
    second_key = [n for n, line in enumerate(text.splitlines(), start=1) if line == "  - key: activity_4"][1]
    assert found == [  # in the order of the file
        f"Line {line_of(text, 'version: 2.1')}: 'version' must be text, not 2.1: put it in quotes, for example "
        'version: "2.1".',
        f"Line {line_of(text, 'wording: maybe')}: 'wording' must be licensed or demo, not 'maybe'.",
        f"Line {line_of(text, 'copyrigth:')}: unknown field 'copyrigth' in the file. Known fields: code, title, version, "
        "wording, copyright, instructions, notes, scoring, items.",
        f"Line {line_of(text, 'range:')}: 'range' is [0, 79] but the items' answer values add up to 0-80: fix the range "
        "or the values.",
        f"Line {line_of(text, '{value: three')}: 'value' must be a whole number, not 'three'.",
        f"Line {second_key}: item 5: key 'activity_4' is already used by item 4.",
    ]


@pytest.mark.parametrize(
    ("change", "at", "message"),
    [
        (lambda t: t.replace('version: "demo-1"\n', ""), "code: odi", "the file is missing 'version'"),
        (lambda t: t.replace('      - {value: 5, text: "Placeholder statement 5 (most difficulty)"}\n', "", 1),
         "key: pain_intensity", "ODI section 'pain_intensity' needs 6 statements scored 0 to 5"),
        (lambda t: t.replace("key: travelling", "key: driving"), "items:", "missing travelling; not ODI sections: driving"),
        (lambda t: t.replace("{value: 2, text", "{value: 1, text", 1), '{value: 1, text: "Placeholder statement 2"',
         "value 1 is used twice"),
        (lambda t: t.replace("  rule: odi", "  rule: odi\n  change_threshold: 5"), "change_threshold",
         "the ODI rule is fixed"),
        (lambda t: t.replace("code: odi", "code: nprs"), "code: nprs", "nprs is built into the app"),
        (lambda t: t.replace("code: odi", "code: ODI!"), "code: ODI!", "'code' must be 2-20 lower-case letters"),
        (lambda t: t.replace('text: "Section 3: Lifting (demo wording)"', "text: [a, b]"), "text: [a, b]",
         "'text' must be text"),
    ],
)
def test_each_kind_of_odi_problem_is_reported_on_its_line(change, at, message):
    text = change(instrument_file("odi"))
    (found,) = problems(text)
    assert found.startswith(f"Line {line_of(text, at)}:") and message in found, found


@pytest.mark.parametrize(
    ("change", "at", "message"),
    [
        (lambda t: t.replace("  change_threshold: 9\n", ""), "scoring:", "missing 'change_threshold'"),
        (lambda t: t.replace("higher_is_better", "up"), "direction:", "'direction' must be higher_is_better or "
                                                                       "lower_is_better"),
        (lambda t: t.replace("change_threshold: 9", "change_threshold: 90"), "change_threshold",
         "below the width of the range (80)"),
        (lambda t: t.replace("  rule: sum", "  rule: average"), "rule: average", "'rule' must be odi or sum"),
        (lambda t: t.replace("change_threshold: 9", "change_threshold: 8"), "change_threshold",
         "'change_threshold' for lefs must be at least 9, its measurement error"),
    ],
)
def test_each_kind_of_sum_rule_problem_is_reported_on_its_line(change, at, message):
    text = change(instrument_file("lefs"))
    (found,) = problems(text)
    assert found.startswith(f"Line {line_of(text, at)}:") and message in found, found


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Line 1: the file is empty."),
        (b"# only a comment\n", "Line 1: the file is empty."),
        (b"code: odi\ntitle: \xff\n", "Line 2: the file is not UTF-8 text; save it as UTF-8."),
        (b"- a\n- b\n", "Line 1: the file must be a set of 'name: value' lines."),
        (b"code: &c odi\ntitle: *c\n", "Line 2: anchors and aliases (& and *) are not allowed"),
    ],
)
def test_files_that_are_not_definitions_at_all_say_why(content, message):
    assert any(found.startswith(message) for found in problems(content))


# --- The intake asks what is loaded, and stores the version ------------------------------------------------------


def test_until_an_odi_is_loaded_the_patient_form_leaves_it_out_and_no_odi_is_scored(intake, submit_now):
    form = questionnaire.step_form("outcomes", patient=intake.patient, visit=intake.appointment)
    assert not [name for name in form.fields if name.startswith("odi_")]
    assert [heading for heading, _note, _names in form.sections] == [
        "Activities you find hard (Patient-Specific Functional Scale)"]
    save_steps(intake)
    submit_now(intake)
    assert set(OutcomeScore.objects.values_list("instrument", flat=True)) == {"nprs", "psfs"}
    intake.refresh_from_db()
    assert intake.answers["outcomes"]["instruments"] == {} and "odi_lifting" not in intake.answers["outcomes"]


def test_each_response_stores_the_version_it_was_answered_on(licensed_odi, intake, submit_now):
    save_steps(intake)
    intake.refresh_from_db()
    assert intake.answers["outcomes"]["instruments"] == {"odi": {"version": "2.1a-test", "demo_wording": False}}
    submit_now(intake)
    score = OutcomeScore.objects.get(instrument="odi")
    assert (score.instrument_version, score.definition, score.value, score.band) == ("2.1a-test", licensed_odi,
                                                                                     Decimal("35.6"), "moderate")


def test_a_new_version_loaded_after_the_patient_answered_asks_them_to_answer_again(licensed_odi, intake, submit_now):
    save_steps(intake)
    load(instrument_file("odi", licensed=True, version="2.1b-test"))
    with pytest.raises(services.IntakeIncomplete) as exc:
        submit_now(intake)
    assert exc.value.errors["outcomes"]["__all__"] == [
        "The clinic has updated the questionnaire “Oswestry Disability Index (test wording)” since you answered it. "
        "Please open this step and check your answers again."]
    save_steps(intake, only=("outcomes",))  # answered again, on the new wording
    submit_now(intake)
    assert OutcomeScore.objects.get(instrument="odi").instrument_version == "2.1b-test"


def test_the_placeholder_odi_is_scored_as_demo_wording_never_as_an_odi(demo_odi, intake, submit_now, client,
                                                                        dr_rivera):
    save_steps(intake)
    submit_now(intake)
    score = OutcomeScore.objects.get(instrument="odi")
    assert (score.demo_wording, score.band, score.instrument_version, score.value) == (True, "", "demo-1",
                                                                                       Decimal("35.6"))
    sign_in(client, dr_rivera.user)
    chart = client.get(f"/patients/{intake.patient.mrn}/").content.decode()
    assert "ODI 35.6% (" not in chart and "35.6% <span class=\"badge text-bg-warning\">demo wording</span>" in chart
    summary = client.get(f"/intake/forms/{intake.pk}/summary/").content.decode()
    odi_row = summary[summary.index("Oswestry Disability Index (ODI): demo wording, not a real score"):]
    odi_row = odi_row[:odi_row.index("</tr>")]
    assert "<td>not banded</td><td>demo-1</td>" in odi_row and "moderate" not in odi_row


def test_answers_are_described_in_the_wording_they_were_given_on(licensed_odi, intake, submit_now, client, dr_rivera):
    save_steps(intake)
    submit_now(intake)
    newer = instrument_file("odi", licensed=True, version="2.1b-test").replace("Placeholder statement 2",
                                                                              "Newer statement 2")
    load(newer)
    sign_in(client, dr_rivera.user)
    summary = client.get(f"/intake/forms/{intake.pk}/summary/").content.decode()
    assert "Section 1: Pain intensity (test wording)</dt><dd>Placeholder statement 2" in summary
    assert "Newer statement" not in summary and "version 2.1a-test" in summary


def test_a_loaded_lefs_is_asked_item_by_item_and_scored_as_its_sum(licensed_lefs, intake, submit_now):
    answers = valid_answers()
    form = questionnaire.step_form("outcomes", patient=intake.patient, data=answers["outcomes"])
    assert not form.is_valid() and form.errors["lefs_activity_1"] == ["Choose the answer that fits best."]
    answers["outcomes"].update({f"lefs_activity_{n}": 3 for n in range(1, 21)})
    answers["outcomes"]["lefs_activity_20"] = 1
    save_steps(intake, answers)
    submit_now(intake)
    lefs = OutcomeScore.objects.get(instrument="lefs")
    assert lefs.value == Decimal("58") and lefs.instrument_version == "1999-test"  # 19 x 3 + 1
    assert lefs.definition == licensed_lefs and lefs.details == {"items_answered": 20}


# --- The command and the staff admin -------------------------------------------------------------------------------


def test_the_command_loads_a_file_and_says_the_intake_asks_it(tmp_path, make_user):
    admin = make_user(roles.ADMIN, email="owner@stride.test")
    path = tmp_path / "odi-licensed.yaml"
    path.write_text(instrument_file("odi", licensed=True, version="2.1a-clinic"))
    out = StringIO()
    call_command("load_instrument", str(path), "--by", "owner@stride.test", stdout=out)
    assert "Loaded Oswestry Disability Index (test wording), version 2.1a-clinic (odi, licensed wording)" in out.getvalue()
    row = Instrument.objects.get()
    assert row.loaded_by == admin and row.source_name == "odi-licensed.yaml"


def test_the_command_prints_each_problem_with_its_line_and_loads_nothing(tmp_path):
    path = tmp_path / "broken.yaml"
    text = instrument_file("odi").replace("\nwording: demo", "\nwording: maybe").replace('version: "demo-1"', "version: 2")
    path.write_text(text)
    err = StringIO()
    with pytest.raises(CommandError, match=r"2 problems"):
        call_command("load_instrument", str(path), stderr=err)
    assert f"broken.yaml: Line {line_of(text, 'version: 2')}: 'version' must be text" in err.getvalue()
    assert f"broken.yaml: Line {line_of(text, 'wording: maybe')}: 'wording' must be licensed or demo" in err.getvalue()
    assert not Instrument.objects.exists()


def test_the_command_warns_that_demo_wording_is_not_the_odi(tmp_path):
    path = tmp_path / "demo.yaml"
    path.write_text(instrument_file("odi"))
    out = StringIO()
    call_command("load_instrument", str(path), stdout=out)
    assert "DEMO WORDING" in out.getvalue() and "has demo wording" in out.getvalue()


@pytest.fixture
def admin_client(client, make_user):
    sign_in(client, make_user(roles.ADMIN))
    return client


def _upload(client, text, name="odi.yaml"):
    return client.post("/admin/intake/instrument/add/", {"file": SimpleUploadedFile(name, text.encode())})


def test_an_admin_uploads_a_file_and_the_list_shows_it_in_force(admin_client):
    listing = admin_client.get("/admin/intake/instrument/").content.decode()
    assert "Why the intake has no ODI score:" in listing and "No ODI is loaded" in listing
    assert "Load an instrument file" in listing
    response = _upload(admin_client, instrument_file("odi", licensed=True, version="2.1a-clinic"))
    assert response.status_code == 302
    listing = admin_client.get(response.url).content.decode()
    assert "Loaded Oswestry Disability Index (test wording) (version 2.1a-clinic)" in listing
    assert "Licensed" in listing and "Why the intake has no ODI score:" not in listing


def test_a_bad_upload_lists_each_problem_with_its_line_beside_the_field_never_a_500(admin_client):
    text = instrument_file("odi").replace('version: "demo-1"', "version: 2")
    response = _upload(admin_client, text)
    page = response.content.decode()
    assert response.status_code == 400 and not Instrument.objects.exists()
    assert f"<li>Line {line_of(text, 'version: 2')}: &#x27;version&#x27; must be text" in page
    assert 'aria-describedby="file-errors file-help"' in page
    binary = admin_client.post("/admin/intake/instrument/add/", {"file": SimpleUploadedFile("x.yaml", b"\xff\xfe\x00")})
    assert binary.status_code == 400 and "not UTF-8 text" in binary.content.decode()


def test_the_list_says_when_the_odi_in_force_is_demo_wording(admin_client, demo_odi):
    listing = admin_client.get("/admin/intake/instrument/").content.decode()
    assert "has demo wording" in listing and "never shown or banded as ODI scores" in listing


def test_an_admin_takes_a_version_out_of_the_intake_from_its_page(admin_client, licensed_odi):
    page = admin_client.get(f"/admin/intake/instrument/{licensed_odi.pk}/change/").content.decode()
    assert "Placeholder statement 0 (least difficulty)" in page and "meaningful change at least 10" in page
    response = admin_client.post(f"/admin/intake/instrument/{licensed_odi.pk}/change/", {"active": ""})
    assert response.status_code == 302
    licensed_odi.refresh_from_db()
    assert not licensed_odi.active
    assert admin_client.get(f"/admin/intake/instrument/{licensed_odi.pk}/delete/").status_code == 403


@pytest.mark.parametrize("role", [roles.CLINICIAN, roles.FRONT_DESK])
def test_the_staff_admin_is_for_admins_alone(client, make_user, role):
    sign_in(client, make_user(role))
    response = _upload(client, instrument_file("odi", licensed=True))
    assert response.status_code == 302 and "/admin/login/" in response.url and not Instrument.objects.exists()


def _load_on_the_page(client, text, name="odi.yaml"):
    return client.post("/intake/instruments/", {"file": SimpleUploadedFile(name, text.encode())})


def test_a_clinician_loads_a_file_on_the_questionnaires_page_and_sees_it_in_force(client, make_user):
    sign_in(client, make_user(roles.CLINICIAN))
    page = client.get("/intake/instruments/").content.decode()
    assert "Why the intake has no ODI score:" in page and "No questionnaire is loaded yet." in page
    response = _load_on_the_page(client, instrument_file("odi", licensed=True, version="2.1a-clinic"))
    assert response.status_code == 302 and response.url == "/intake/instruments/"
    row = Instrument.objects.get(code="odi")
    assert (row.version, row.active, row.demo_wording) == ("2.1a-clinic", True, False)
    page = client.get("/intake/instruments/").content.decode()
    assert "(version 2.1a-clinic). The intake form asks it from now on." in page
    assert "Why the intake has no ODI score:" not in page and "Yes, on every new intake" in page


def test_a_file_with_mistakes_is_refused_beside_the_field_with_each_line_and_nothing_loads(client, make_user):
    sign_in(client, make_user(roles.CLINICIAN))
    broken = instrument_file("odi", licensed=True).replace("key: travelling", "key: driving")
    response = _load_on_the_page(client, broken)
    assert response.status_code == 400 and not Instrument.objects.exists()
    page = response.content.decode()
    assert 'id="file-errors"' in page and "not ODI sections: driving" in page and 'aria-invalid="true"' in page


def test_the_front_desk_may_not_open_or_load_questionnaires(client, make_user):
    sign_in(client, make_user(roles.FRONT_DESK))
    assert client.get("/intake/instruments/").status_code == 403
    assert _load_on_the_page(client, instrument_file("odi", licensed=True)).status_code == 403
    assert not Instrument.objects.exists()


def test_the_database_check_warns_until_a_licensed_odi_is_loaded():
    (warning,) = checks.licensed_odi_check(databases=["default"])
    assert warning.id == "stride.W101" and "No ODI is loaded" in warning.msg
    load(instrument_file("odi", licensed=True))
    assert checks.licensed_odi_check(databases=["default"]) == []
    assert checks.licensed_odi_check() == []  # without --database it stays quiet


# --- Existing scores from the placeholder ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_marks_odi_scores_from_the_old_placeholder_as_demo_wording(patient):
    executor = MigrationExecutor(connection)
    executor.migrate([("intake", "0011_instruments_loaded_from_files")])
    old = executor.loader.project_state([("intake", "0011_instruments_loaded_from_files")]).apps
    try:
        Score = old.get_model("intake", "OutcomeScore")
        for instrument, version, value, band in (("odi", "placeholder", "35.6", "moderate"), ("nprs", "1", "6", "moderate")):
            Score.objects.create(patient_id=patient.pk, instrument=instrument, instrument_version=version,
                                 value=Decimal(value), band=band)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    odi, nprs = OutcomeScore.objects.get(instrument="odi"), OutcomeScore.objects.get(instrument="nprs")
    assert (odi.demo_wording, odi.band, odi.value) == (True, "", Decimal("35.6"))  # kept, never banded as an ODI
    assert (nprs.demo_wording, nprs.band) == (False, "moderate")


@pytest.fixture
def submit_now(deliver_now, django_capture_on_commit_callbacks):
    def run(intake):
        with django_capture_on_commit_callbacks(execute=True):
            return services.intake_submit(intake=intake)

    return run


def test_a_submitted_form_lists_the_versions_it_used(licensed_odi, intake, submit_now):
    save_steps(intake)
    submit_now(intake)
    assert IntakeForm.objects.get().instrument_versions == {"odi": "2.1a-test", "nprs": "1", "psfs": "1995-original"}


# --- Scores brought into the exam --------------------------------------------------------------------------------


def test_without_a_loaded_odi_the_exam_has_no_odi_entry_and_says_why(rivera_client, exam):
    html = rivera_client.get(f"/exams/{exam.pk}/").content.decode()
    assert "data-no-odi" in html and "No ODI is loaded" in html and 'name="odi_pain_intensity"' not in html


def test_an_exam_from_a_demo_wording_intake_never_shows_its_odi_as_an_odi_score(demo_odi, intake, submit_now,
                                                                              client, dr_rivera):
    from exams import services as exam_services

    save_steps(intake)
    submit_now(intake)
    exam, _created = exam_services.exam_start(appointment=intake.appointment, clinician=dr_rivera)
    assert (exam.findings["scores"]["odi_version"], exam.findings["scores"]["odi_demo_wording"]) == ("demo-1", True)
    sign_in(client, dr_rivera.user)
    page = " ".join(client.get(f"/exams/{exam.pk}/").content.decode().split())
    assert "35.6% on ODI demo wording" in page and "not an ODI score, not banded" in page
    assert "ODI 35.6%" not in page
    report = " ".join(client.get(f"/exams/{exam.pk}/report/").content.decode().split())
    assert "ODI sections on demo wording (not an ODI score)" in report and "moderate; 9 of 10" not in report


def test_an_exam_from_a_licensed_intake_keeps_its_version_and_band(licensed_odi, intake, submit_now, client,
                                                                   dr_rivera):
    from exams import services as exam_services

    save_steps(intake)
    submit_now(intake)
    exam, _created = exam_services.exam_start(appointment=intake.appointment, clinician=dr_rivera)
    sign_in(client, dr_rivera.user)
    page = " ".join(client.get(f"/exams/{exam.pk}/").content.decode().split())
    assert "ODI 35.6%</strong> (moderate; 9 of 10 sections" in page and "<code>2.1a-test</code>" in page
