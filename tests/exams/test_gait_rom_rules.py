"""Gait (walking and running apart) and range-of-motion checks against the clinical reference (exams.rules; pure
functions, no database). Every expected value is worked out by hand from /work/shared/clinical-reference.md,
section 4, and its product decisions; the comment beside each says how."""

import pytest

from exams.rules import (
    gait_checks,
    gait_norms,
    gait_speed_norm,
    gait_symmetry,
    rom_flag,
    rom_norm,
    side_difference,
    symmetry_index,
)


def _by_field(checks):
    found = {}
    for check in checks:
        found.setdefault(check.field, []).append(check)
    return found


# --- Running: the reference gives no running norms ---------------------------------------------------


def test_a_running_cadence_of_168_is_not_flagged_and_shows_no_norm():
    checks = gait_checks("running", {"cadence": 168})
    assert checks == []  # nothing to compare with, so no flag of any kind
    norm = gait_norms("running")["cadence"]
    assert (norm.text, norm.has_norm) == ("No norm", False)


@pytest.mark.parametrize("key", ["speed", "cadence", "step_length", "ground_contact", "vertical_oscillation",
                                 "overstride", "foot_strike", "tibial_angle", "pelvic_drop"])
def test_every_running_value_is_marked_as_having_no_norm(key):
    assert gait_norms("running", age=30, sex="male")[key].has_norm is False


def test_running_values_far_from_walking_norms_are_never_flagged():
    values = {"speed": 4.2, "cadence": 182, "step_width": 2, "ground_contact_left": 210, "ground_contact_right": 260,
              "vertical_oscillation": 11, "overstride_left": 25, "tibial_angle_left": 14, "pelvic_drop_right": 9,
              "foot_strike_left": "rearfoot"}
    assert gait_checks("running", values, age=30, sex="female") == []


def test_running_step_length_symmetry_is_computed_and_flagged_by_hand():
    # L 120, R 134: (134 - 120) / (0.5 x 254) x 100 = 14 / 127 x 100 = 11.02 -> 11.0, abs >= 10: asymmetric.
    (check,) = gait_checks("running", {"step_length_left": 120, "step_length_right": 134})
    assert (check.field, check.value, check.flagged) == ("symmetry_step_length", 11.0, True)
    assert "Herzog 1989 [55,56]" in check.source


# --- Walking -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("cadence", "note"), [
    (89, "below the typical range; not a cut-off"),
    (90, "within the typical range"),
    (120, "within the typical range"),
    (121, "above the typical range, as in brisk walking; not a cut-off"),
    (168, "above the typical range, as in brisk walking; not a cut-off"),
])
def test_walking_cadence_is_shown_against_the_typical_90_to_120_and_never_called_abnormal(cadence, note):
    (check,) = gait_checks("walking", {"cadence": cadence})
    assert check.flagged is None and check.note == note  # a typical range, not a cut-off
    assert check.norm == "typical 90-120 steps/min (mean 117)" and check.source == "Murray [51,52]"


@pytest.mark.parametrize(("width", "outside"), [(4.9, True), (5, False), (10, False), (10.1, True)])
def test_walking_step_width_outside_the_normal_base_of_5_to_10_cm_is_flagged(width, outside):
    (check,) = gait_checks("walking", {"step_width": width})
    assert check.flagged is outside


@pytest.mark.parametrize(("speed", "category", "flagged"), [
    (0.39, "household", True), (0.4, "limited community", True), (0.8, "limited community", True),
    (0.81, "community", False),
])
def test_walking_speed_category_edges(speed, category, flagged):
    (check,) = [c for c in gait_checks("walking", {"speed": speed}) if c.parameter == "walking_category"]
    assert (check.note, check.flagged) == (category, flagged)


def test_walking_speed_is_compared_with_the_mean_for_age_and_sex_without_a_cut_off():
    # Woman of 45: 1.39 m/s (Bohannon & Andrews, 40-49); 1.20 is 0.19 below it.
    (mean, _category) = gait_checks("walking", {"speed": 1.2}, age=45, sex="female")
    assert mean.norm == "1.39 m/s (female, 40-49)" and mean.flagged is None
    assert mean.note.startswith("0.19 m/s below the mean")
    assert gait_speed_norm(85, "male") == (0.97, "male, 80+")


def test_walking_speed_without_sex_has_no_norm_to_compare_with_and_says_what_it_needs():
    checks = gait_checks("walking", {"speed": 1.2}, age=45, sex=None)
    assert [c.parameter for c in checks] == ["walking_category"]  # the category needs no sex; the mean does
    norm = gait_norms("walking", age=45)["speed"]
    assert norm.text == "No matching norm" and "sex" in norm.source


def test_walking_step_length_is_shown_against_murrays_typical_value_for_the_sex():
    checks = _by_field(gait_checks("walking", {"step_length_left": 60, "step_length_right": 70}, sex="female"))
    assert checks["step_length_left"][0].note.startswith("6 cm below the typical 66 cm")  # 66 - 60
    assert checks["step_length_right"][0].note.startswith("4 cm above the typical 66 cm")  # 70 - 66
    assert all(c.flagged is None for c in checks["step_length_left"] + checks["step_length_right"])
    assert gait_norms("walking", sex="male")["step_length"].text == "79 cm (men)"
    assert gait_norms("walking")["step_length"].text == "men 79 cm, women 66 cm"


def test_pelvic_drop_has_no_norm_walking_either():
    assert gait_norms("walking")["pelvic_drop"].has_norm is False
    assert gait_checks("walking", {"pelvic_drop_left": 12, "pelvic_drop_right": 3}) == []


# --- Symmetry: on step length, never stride length ---------------------------------------------------


@pytest.mark.parametrize(("left", "right", "percent", "asymmetric", "larger"), [
    (60, 66, 9.5, False, "right"),   # 6 / 63 x 100 = 9.52
    (66, 60, -9.5, False, "left"),
    (57, 63, 10.0, True, "right"),   # 6 / 60 x 100 = 10.0: the edge counts as asymmetric (abs(SI) < 10 is symmetric)
    (63, 57, -10.0, True, "left"),
    (65, 65, 0.0, False, None),
])
def test_step_length_symmetry_index_by_hand(left, right, percent, asymmetric, larger):
    values = {"step_length_left": left, "step_length_right": right}
    si = gait_symmetry("walking", values)["step_length"]
    assert (si.percent, si.larger_side, si.left, si.right) == (percent, larger, left, right)
    assert si.formula == "SI = (R - L) / (0.5 x (R + L)) x 100"
    (check,) = [c for c in gait_checks("walking", values) if c.field == "symmetry_step_length"]
    assert check.flagged is asymmetric


def test_stride_length_never_gets_a_symmetry_index():
    values = {"stride_length": 130, "stride_length_left": 120, "stride_length_right": 140}
    assert gait_symmetry("walking", values) == {}
    assert not [c for c in gait_checks("walking", values) if c.field.startswith("symmetry_")]


def test_stance_symmetry_walking_by_hand():
    # L 62, R 58: (58 - 62) / (0.5 x 120) x 100 = -6.7 (left larger), under 10: symmetric.
    si = gait_symmetry("walking", {"stance_left": 62, "stance_right": 58})["stance"]
    assert (si.percent, si.larger_side) == (-6.7, "left")


def test_symmetry_index_is_none_when_a_side_is_missing_or_both_are_zero():
    assert symmetry_index(None, 60) is None and symmetry_index(60, None) is None and symmetry_index(0, 0) is None


def test_unknown_gait_is_rejected():
    with pytest.raises(ValueError, match="unknown gait"):
        gait_checks("jogging", {})


# --- Hip rotation: the norm of the position measured in ----------------------------------------------


@pytest.mark.parametrize(("degrees", "limited"), [(29, True), (29.9, True), (30, False), (40, False), (45, False)])
def test_internal_rotation_seated_is_compared_with_afps_range_for_the_hip_at_90(degrees, limited):
    flag = rom_flag("hip_internal_rotation", degrees, "seated")
    assert flag.limited is limited and flag.normal_range == "30-40°"
    assert flag.source == "AFP exam (Wilson 2014) [42], hip at 90°"
    assert any("37.9° mean seated" in s for s in flag.other_sources)


@pytest.mark.parametrize(("motion", "position", "degrees", "mean", "note"), [
    ("hip_internal_rotation", "supine", 25, "29.6° (mean, supine)", "4.6° below the supine mean"),  # 29.6 - 25
    ("hip_internal_rotation", "prone", 40, "35.2° (mean, prone)", "4.8° above the prone mean"),     # 40 - 35.2
    ("hip_internal_rotation", "prone", 20, "35.2° (mean, prone)", "15.2° below the prone mean"),
    ("hip_external_rotation", "supine", 38.5, "38.5° (mean, supine)", "at the supine mean"),
    ("hip_external_rotation", "prone", 30, "41.8° (mean, prone)", "11.8° below the prone mean"),
])
def test_rotation_against_a_measured_mean_is_shown_how_far_off_and_never_flagged(motion, position, degrees, mean, note):
    flag = rom_flag(motion, degrees, position)
    assert flag.limited is None  # a mean is not a cut-off
    assert flag.normal_range == mean and "Kouyoumdjian 2012) [44]" in flag.source
    assert flag.note == f"{note}; the source gives no cut-off"


def test_the_same_value_reads_differently_by_position():
    # 33°: under the seated range? no (30-40); 3.4 above the supine mean (29.6); 2.2 below the prone mean (35.2).
    assert rom_flag("hip_internal_rotation", 33, "seated").limited is False
    assert rom_flag("hip_internal_rotation", 33, "supine").note.startswith("3.4° above")
    assert rom_flag("hip_internal_rotation", 33, "prone").note.startswith("2.2° below")


def test_external_rotation_seated_has_no_norm_and_is_never_flagged():
    norm = rom_norm("hip_external_rotation", "seated")
    assert norm.text == "No norm when seated" and norm.low is None and norm.mean is None
    assert any("40-60°" in s and "position not stated" in s for s in norm.others)  # context, not compared with
    flag = rom_flag("hip_external_rotation", 10, "seated")
    assert flag.limited is None and flag.note == ""


def test_rotation_without_a_position_is_not_compared_and_asks_for_it():
    flag = rom_flag("hip_internal_rotation", 10)
    assert flag.limited is None and flag.note == "choose the position to compare with its norm"
    assert flag.normal_range == "Depends on the position"
    assert any(s.startswith("prone: 35.2° mean") for s in flag.other_sources)


def test_unknown_position_or_motion_is_rejected():
    with pytest.raises(ValueError, match="unknown position"):
        rom_flag("hip_internal_rotation", 30, "standing")
    with pytest.raises(ValueError, match="unknown motion"):
        rom_flag("knee_flexion", 120)


@pytest.mark.parametrize(("degrees", "limited"), [(109, True), (110, False), (135, False)])
def test_other_motions_keep_their_range_whatever_the_position(degrees, limited):
    assert rom_flag("hip_flexion", degrees).limited is limited
    assert rom_flag("hip_flexion", degrees).normal_range == "110-120°"


def test_lumbar_uses_the_commonly_quoted_values():
    flag = rom_flag("lumbar_flexion", 45)
    assert flag.limited and flag.normal_range == "60°" and "commonly quoted" in flag.source


# --- Side-to-side difference -------------------------------------------------------------------------


@pytest.mark.parametrize(("left", "right", "degrees", "text"), [
    (28, 36, 8, "8° less on the left"),          # 36 - 28
    (37.5, 30.2, -7.3, "7.3° less on the right"),  # exact: 30.2 - 37.5, no float noise
    (35, 35, 0, "no difference"),
])
def test_side_to_side_difference_by_hand(left, right, degrees, text):
    difference = side_difference(left, right)
    assert (difference.degrees, difference.text) == (degrees, text)


def test_side_to_side_difference_needs_both_sides():
    assert side_difference(None, 30) is None and side_difference(30, None) is None
