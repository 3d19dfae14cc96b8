"""Unit tests for exams.rules: the differential suggestions and the gait and ROM checks (pure functions, no
database)."""

import pytest

from exams.catalogue import ROM_NORMS
from exams.rules import CONDITIONS, gait_flags, gait_speed_norm, rom_flag, suggest_differentials, symmetry_index


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
    assert len(suggestions) == 7
    assert {s.condition for s in suggestions} <= set(CONDITIONS)


def test_no_findings_suggest_nothing():
    assert suggest_differentials({}) == []


# --- Gait ---


def test_symmetry_index_sign_shows_the_larger_side():
    right_larger = symmetry_index(66, 60)
    assert (right_larger.percent, right_larger.larger_side) == (9.5, "right")
    left_larger = symmetry_index(60, 66)
    assert (left_larger.percent, left_larger.larger_side) == (-9.5, "left")
    assert symmetry_index(50, 50).percent == 0.0


def test_symmetry_index_keeps_raw_values_and_formula():
    result = symmetry_index(0.7, 0.5)
    assert (result.right, result.left, result.percent) == (0.7, 0.5, 33.3)
    assert result.formula == "SI = (R - L) / (0.5 x (R + L)) x 100"


def test_symmetry_index_is_none_when_a_side_is_missing_or_both_are_zero():
    assert symmetry_index(None, 60) is None
    assert symmetry_index(60, None) is None
    assert symmetry_index(0, 0) is None


@pytest.mark.parametrize(
    ("age", "sex", "norm"),
    [
        (25, "male", 1.36),
        (35, "male", 1.43),
        (45, "female", 1.39),
        (65, "female", 1.24),
        (79, "male", 1.26),
        (80, "female", 0.94),
        (95, "male", 0.97),
    ],
)
def test_gait_speed_norm_looks_up_age_band_and_sex(age, sex, norm):
    assert gait_speed_norm(age, sex)[0] == norm


def test_gait_speed_norm_is_none_under_20_or_without_sex():
    assert gait_speed_norm(19, "male") is None
    assert gait_speed_norm(40, None) is None


def test_gait_flags_compare_each_value_with_its_norm_and_source():
    checks = {c.parameter: c for c in gait_flags(age=72, sex="female", speed=0.7, cadence=85, step_width_cm=12)}
    speed = checks["gait_speed"]
    assert "1.13 m/s" in speed.norm and "Bohannon & Andrews 2011" in speed.source
    assert speed.flagged is None  # a mean, not a cut-off
    assert "0.43 m/s below" in speed.note
    assert checks["walking_category"].flagged and checks["walking_category"].note == "limited community"
    assert checks["cadence"].flagged and "90-120" in checks["cadence"].norm
    assert checks["step_width"].flagged and "5-10 cm" in checks["step_width"].norm


def test_gait_flags_typical_values_are_not_flagged():
    checks = {c.parameter: c for c in gait_flags(cadence=110, step_width_cm=8, stance_percent=61)}
    assert checks["cadence"].flagged is False
    assert checks["step_width"].flagged is False
    assert checks["stance_percent"].flagged is None and "about 60%" in checks["stance_percent"].norm


def test_gait_flags_symmetry_of_10_percent_or_more_is_asymmetric():
    checks = gait_flags(symmetry={"step_length": symmetry_index(70, 60), "stance": -10.0, "swing": 4.0})
    by_name = {c.parameter: c for c in checks}
    assert by_name["symmetry_step_length"].flagged
    assert by_name["symmetry_stance"].note == "asymmetric (common but arbitrary 10% cut-off)"
    assert by_name["symmetry_swing"].flagged is False


# --- ROM ---


def test_rom_flag_below_the_primary_lower_bound_is_limited_with_source():
    flag = rom_flag("hip_internal_rotation", 25)
    assert flag.limited
    assert flag.normal_range == "30-40°"
    assert "Wilson 2014" in flag.source
    assert any("AAOS" in s for s in flag.other_sources)


def test_rom_flag_within_range_is_not_limited():
    assert not rom_flag("hip_flexion", 110).limited
    assert not rom_flag("hip_flexion", 135).limited


def test_rom_flag_lumbar_uses_commonly_quoted_values():
    flag = rom_flag("lumbar_flexion", 45)
    assert flag.limited and flag.normal_range == "60°" and "commonly quoted" in flag.source
    assert not rom_flag("lumbar_side_bending", 25).limited


def test_rom_norms_cover_every_hip_and_lumbar_motion():
    assert set(ROM_NORMS) == {
        "hip_flexion",
        "hip_extension",
        "hip_abduction",
        "hip_adduction",
        "hip_internal_rotation",
        "hip_external_rotation",
        "lumbar_flexion",
        "lumbar_extension",
        "lumbar_side_bending",
    }


def test_rom_flag_rejects_unknown_motion():
    with pytest.raises(ValueError, match="unknown motion"):
        rom_flag("knee_flexion", 120)
