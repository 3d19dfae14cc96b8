"""Unit tests for exams.rules: the differential suggestions (pure functions, no database). The gait and ROM
checks: tests/exams/test_gait_rom_rules.py."""

import pytest

from exams.rules import CONDITIONS, suggest_differentials


def _tests(**results):
    return {"special_tests": results}


def _by_condition(suggestions, condition):
    return [s for s in suggestions if s.condition == condition]


# --- SI joint ---


def test_laslett_3_of_5_positive_suggests_si_joint_with_figures():
    findings = _tests(
        distraction="positive",
        thigh_thrust={"left": "positive", "right": "negative"},
        compression="positive",
        sacral_thrust="negative",
        gaenslen={"left": "negative", "right": "negative"},
    )
    [suggestion] = suggest_differentials(findings)
    assert suggestion.condition == "si_joint_dysfunction" and suggestion.kind == "suggests"
    assert "3 of 5" in suggestion.rule
    assert "sensitivity 0.91, specificity 0.78" in suggestion.rule
    assert "thigh thrust positive (left)" in suggestion.evidence


def test_laslett_2_of_5_positive_suggests_nothing():
    findings = _tests(
        distraction="positive",
        thigh_thrust="positive",
        compression="negative",
        sacral_thrust="negative",
        gaenslen="negative",
    )
    assert suggest_differentials(findings) == []


def test_laslett_fires_with_3_positive_even_if_fewer_than_5_tested():
    findings = _tests(distraction="positive", thigh_thrust="positive", compression="positive")
    [suggestion] = suggest_differentials(findings)
    assert "3 of 5" in suggestion.rule and "only 3 of 5 tested" in suggestion.rule


def test_gaenslen_counts_if_either_side_is_positive():
    findings = _tests(
        distraction="positive", thigh_thrust="positive", gaenslen={"left": "negative", "right": "positive"}
    )
    [suggestion] = suggest_differentials(findings)
    assert "Gaenslen positive (right)" in suggestion.evidence


def test_all_si_tests_negative_gives_unlikely_note():
    findings = _tests(
        distraction="negative",
        thigh_thrust={"left": "negative", "right": "negative"},
        compression="negative",
        sacral_thrust="negative",
        gaenslen={"left": "negative", "right": "negative"},
    )
    [note] = suggest_differentials(findings)
    assert note.title == "SI joint pain unlikely (all provocation tests negative)"
    assert note.kind == "argues_against"


def test_unlikely_note_needs_every_test_and_side_tested():
    findings = _tests(
        distraction="negative",
        thigh_thrust="negative",
        compression="negative",
        sacral_thrust="negative",
        gaenslen={"left": "negative", "right": "not_tested"},
    )
    assert suggest_differentials(findings) == []


def test_van_der_wurff_variant_uses_faber_instead_of_sacral_thrust():
    findings = _tests(distraction="positive", thigh_thrust="positive", sacral_thrust="negative", faber="positive")
    [suggestion] = suggest_differentials(findings)
    assert "van der Wurff" in suggestion.rule and "0.85" in suggestion.rule and "0.79" in suggestion.rule


def test_unknown_test_or_value_is_rejected():
    with pytest.raises(ValueError, match="unknown special tests"):
        suggest_differentials(_tests(distractoin="positive"))
    with pytest.raises(ValueError, match="positive, negative or not_tested"):
        suggest_differentials(_tests(distraction="yes"))


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


def test_findings_at_two_roots_give_two_suggestions_and_a_multilevel_warning():
    suggestions = suggest_differentials({"neuro": {"right": ["reduced_ankle_jerk", "reduced_knee_jerk"]}})
    assert [s.title for s in suggestions] == [
        "Possible L4 radiculopathy (usual disc L3/4)",
        "Possible S1 radiculopathy (usual disc L5/S1)",
    ]
    assert all("more than one level" in s.rule for s in suggestions)


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
    assert len(suggestions) == 7
    assert {s.condition for s in suggestions} <= set(CONDITIONS)


def test_no_findings_suggest_nothing():
    assert suggest_differentials({}) == []
