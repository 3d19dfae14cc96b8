"""The body map's stored shape, {region: [kinds]}: several kinds on one region, the words staff read, and the
migration of forms saved with one kind per region."""

import importlib

from django.apps import apps

from intake import questionnaire, reported
from intake.models import IntakeForm
from tests.intake.intake_fixtures import save_steps, valid_answers

body_map_migration = importlib.import_module("intake.migrations.0008_body_map_kinds_as_lists")


def complaint_words(body_map):
    form = questionnaire.ComplaintForm()
    rows = dict(form.describe({**valid_answers()["complaint"], "body_map": body_map}))
    return rows["Where it is felt (body map)"]


def test_a_region_with_several_kinds_is_stored_and_worded_with_all_of_them(intake):
    answers = valid_answers()
    answers["complaint"]["body_map"] = {"back_calf_left": ["numbness", "tingling", "pain"]}
    intake = save_steps(intake, answers, only=("complaint",))
    assert intake.answers["complaint"]["body_map"] == {"back_calf_left": ["pain", "tingling", "numbness"]}
    assert complaint_words(intake.answers["complaint"]["body_map"]) == "Left calf: pain, tingling, numbness"


def test_a_form_saved_with_one_kind_per_region_still_reads_the_same():
    assert complaint_words({"back_buttock_left": "pain", "front_shin_right": "numbness"}) == (
        "Left buttock: pain; Right shin: numbness")
    assert reported.body_map_drawing({"back_buttock_left": "pain"})["marked"] == [("Left buttock", "pain")]
    data = questionnaire.ComplaintForm.to_data({"body_map": {"back_buttock_left": "pain"}})
    assert data["map_back_buttock_left"] == ["pain"]  # shown ticked when the patient goes back to the step


def test_the_migration_turns_one_kind_per_region_into_a_list_and_leaves_new_marks_alone(maya):
    old = IntakeForm.objects.create(patient=maya, answers={
        "complaint": {"pain_now": 6, "body_map": {"back_buttock_left": "pain", "back_calf_left": "tingling"}},
        "goals": {"goals": "Run"},
    })
    new = IntakeForm.objects.create(patient=maya, answers={"complaint": {"body_map": {"front_groin_left": ["pain",
                                                                                                        "numbness"]}}})
    unmarked = IntakeForm.objects.create(patient=maya, answers={"complaint": {"body_map": {}}, "contact": {}})
    not_yet = IntakeForm.objects.create(patient=maya, answers={"contact": {"city": "Boston"}})

    body_map_migration.forwards(apps, None)

    old.refresh_from_db()
    assert old.answers["complaint"]["body_map"] == {"back_buttock_left": ["pain"], "back_calf_left": ["tingling"]}
    assert old.answers["complaint"]["pain_now"] == 6 and old.answers["goals"] == {"goals": "Run"}
    new.refresh_from_db()
    assert new.answers["complaint"]["body_map"] == {"front_groin_left": ["pain", "numbness"]}
    unmarked.refresh_from_db()
    not_yet.refresh_from_db()
    assert unmarked.answers["complaint"]["body_map"] == {} and not_yet.answers == {"contact": {"city": "Boston"}}

    body_map_migration.backwards(apps, None)  # back to one kind: the first in the map's order
    new.refresh_from_db()
    old.refresh_from_db()
    assert new.answers["complaint"]["body_map"] == {"front_groin_left": "pain"}
    assert old.answers["complaint"]["body_map"] == {"back_buttock_left": "pain", "back_calf_left": "tingling"}
