"""Unit tests for exams.rules: the differential suggestions (pure functions, no database). The gait and ROM
checks: tests/exams/test_gait_rom_rules.py."""

import pytest

from exams.rules import CONDITIONS, suggest_differentials


def _tests(**results):
    return {"special_tests": results}


# The SI joint rules are in test_si_rules.py.


# --- Deep gluteal ---


@pytest.mark.parametrize("test", ["active_piriformis", "seated_piriformis_stretch"])
def test_either_piriformis_test_positive_suggests_deep_gluteal_with_martin_2014_figures(test):
    [suggestion] = suggest_differentials(_tests(**{test: {"right": "positive"}}))
    assert suggestion.condition == "deep_gluteal_syndrome"
    assert "Martin 2014 (n=33" in suggestion.rule
    assert "sensitivity 0.91, specificity 0.80" in suggestion.rule


def test_negative_piriformis_tests_suggest_nothing():
    assert suggest_differentials(_tests(active_piriformis="negative", seated_piriformis_stretch="negative")) == []


# --- Radicular ---


def test_positive_slr_suggests_radicular_pain_with_surgical_reference_figures():
    [suggestion] = suggest_differentials(_tests(slr={"left": "positive", "right": "negative"}))
    assert suggestion.condition == "sciatica"
    assert "0.90 pooled" in suggestion.rule and "0.23" in suggestion.rule
    assert suggestion.evidence == ("straight leg raise positive (left)",)


def test_positive_slump_quotes_majlesi_2008_and_the_unconfirmed_swap():
    [suggestion] = suggest_differentials(_tests(slump="positive"))
    assert "Majlesi 2008" in suggestion.rule
    assert "secondary appraisal reports these swapped; unconfirmed" in suggestion.rule


def test_l5_findings_suggest_l5_radiculopathy_at_l4_5():
    [suggestion] = suggest_differentials({"neuro": {"left": ["ehl_weakness", "heel_walk_difficulty"]}})
    assert suggestion.condition == "lumbar_disc"
    assert suggestion.title == "Possible L5 radiculopathy (usual disc L4/5)"
    assert "left: extensor hallucis longus weakness" in suggestion.evidence
    assert "more than one level" not in suggestion.rule


def test_findings_at_two_roots_give_two_suggestions_and_a_multilevel_red_flag():
    suggestions = suggest_differentials({"neuro": {"right": ["reduced_ankle_jerk", "reduced_knee_jerk"]}})
    # A deficit at more than one level alerts on its own (clinical reference, product decisions), so beside the
    # two root suggestions the exam shows the red flag the save raises, not only the warning text.
    assert [s.title for s in suggestions] == [
        "Possible L4 radiculopathy (usual disc L3/4)",
        "Possible S1 radiculopathy (usual disc L5/S1)",
        "Red flag: deficit at more than one level",
    ]
    assert all("more than one level" in s.rule for s in suggestions[:2])
    assert suggestions[2].kind == "red_flag" and suggestions[2].evidence[0] == "roots needed to explain it: L4, S1"


def test_unknown_neuro_finding_is_rejected():
    with pytest.raises(ValueError, match="unknown neuro finding"):
        suggest_differentials({"neuro": {"left": ["tibialis_anterior_weakness"]}})


# --- Trauma ---


def test_fall_onset_suggests_trauma_without_fracture_reminder_when_young():
    [suggestion] = suggest_differentials({"onset_mechanism": "fall", "age": 40})
    assert suggestion.condition == "trauma" and suggestion.kind == "suggests"


@pytest.mark.parametrize("extra", [{"age": 71}, {"age": 30, "long_term_steroids": True}])
def test_accident_onset_in_older_or_steroid_patient_adds_fracture_reminder(extra):
    suggestions = suggest_differentials({"onset_mechanism": "accident", **extra})
    reminder = [s for s in suggestions if s.kind == "reminder"]
    assert len(reminder) == 1 and "fracture red flag" in reminder[0].rule


def test_age_70_is_not_over_70():
    assert len(suggest_differentials({"onset_mechanism": "fall", "age": 70})) == 1


def _fracture_reminders(**findings):
    return [s for s in suggest_differentials(findings) if s.title == "Fracture red flag"]


@pytest.mark.parametrize("mechanism", ["fall", "lifting"])
@pytest.mark.parametrize("risk", [{"age": 71}, {"age": 40, "osteoporosis": True},
                                  {"age": 40, "long_term_steroids": True}])
def test_a_minor_mechanism_with_each_risk_factor_raises_the_fracture_reminder(mechanism, risk):
    [reminder] = _fracture_reminders(onset_mechanism=mechanism, **risk)
    assert reminder.kind == "reminder" and "(a minor mechanism)" in reminder.rule


@pytest.mark.parametrize("mechanism", ["fall", "lifting"])
def test_a_minor_mechanism_without_a_risk_factor_or_at_70_raises_no_fracture_reminder(mechanism):
    assert _fracture_reminders(onset_mechanism=mechanism, age=70) == []
    assert _fracture_reminders(onset_mechanism=mechanism, age=40, osteoporosis=False, long_term_steroids=False) == []


def test_risk_factors_without_a_fall_or_lift_raise_no_fracture_reminder():
    assert _fracture_reminders(onset_mechanism="gradual", age=80, osteoporosis=True, long_term_steroids=True) == []


def test_a_road_or_other_accident_is_major_trauma_a_fracture_reminder_at_any_age():
    [reminder] = _fracture_reminders(onset_mechanism="accident", age=30)
    assert "major trauma" in reminder.rule


def test_suggestions_only_use_the_clinic_condition_list():
    findings = {
        "special_tests": {
            "distraction": "positive",
            "thigh_thrust": "positive",
            "compression": "positive",
            "faber": "positive",
            "active_piriformis": "positive",
            "slr": "positive",
        },
        "neuro": {"left": ["sole_numbness"]},
        "onset_mechanism": "fall",
        "age": 80,
    }
    suggestions = suggest_differentials(findings)
    # SI: 3 of 5, 3 of 6, 3 of the 4 best and van der Wurff (4 of 5); deep gluteal; radicular; S1; trauma and the
    # fracture reminder (age 80).
    assert len(suggestions) == 9
    assert {s.condition for s in suggestions} <= set(CONDITIONS)


def test_no_findings_suggest_nothing():
    assert suggest_differentials({}) == []
