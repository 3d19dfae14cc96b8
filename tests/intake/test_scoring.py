"""Unit tests for intake.scoring and intake.instruments (pure functions, no database)."""

import dataclasses
import json

import pytest

from intake import scoring
from intake.instruments import INSTRUMENTS, NPRS, ODI_PLACEHOLDER, PSFS, load_instrument
from intake.scoring import (
    gait_flags,
    gait_speed_norm,
    nprs_band,
    nprs_change_is_meaningful,
    odi_band,
    odi_change_is_meaningful,
    odi_score,
    psfs_change_is_meaningful,
    psfs_score,
    rom_flag,
    symmetry_index,
)

# --- ODI ---


def test_odi_16_points_over_9_answered_sections_is_35_6_percent():
    result = odi_score([2, 2, 2, 2, 2, 2, 2, 1, 1, None])
    assert (result.percent, result.points, result.sections_answered) == (35.6, 16, 9)
    assert result.band == "moderate"
    assert not result.low_confidence


def test_odi_all_sections_answered_uses_denominator_50():
    assert odi_score([5] * 10).percent == 100.0
    assert odi_score([0] * 10).percent == 0.0


def test_odi_accepts_a_dict_of_sections_with_skips():
    result = odi_score({"pain_intensity": 3, "lifting": None, "walking": 1})
    assert (result.percent, result.sections_answered) == (40.0, 2)


def test_odi_double_ticked_section_uses_the_higher_value():
    assert odi_score([[1, 4], 0, 0, 0, 0, 0, 0, 0, 0, 0]).points == 4
    assert odi_score([(3, 2), 0, 0, 0, 0, 0, 0, 0, 0, 0]).points == 3


def test_odi_fewer_than_8_sections_is_low_confidence():
    assert odi_score([1] * 7 + [None] * 3).low_confidence
    assert not odi_score([1] * 8 + [None] * 2).low_confidence


def test_odi_all_sections_skipped_raises():
    with pytest.raises(ValueError, match="no sections answered"):
        odi_score([None] * 10)


@pytest.mark.parametrize("answers", [[1] * 9, [6] + [0] * 9, [1.5] + [0] * 9, [True] + [0] * 9, [[1, 7]] + [0] * 9])
def test_odi_rejects_wrong_length_or_out_of_range_values(answers):
    with pytest.raises(ValueError):
        odi_score(answers)


@pytest.mark.parametrize(
    ("percent", "band"),
    [
        (0, "minimal"),
        (20, "minimal"),
        (20.5, "moderate"),
        (21, "moderate"),
        (40, "moderate"),
        (40.1, "severe"),
        (60, "severe"),
        (61, "crippled"),
        (80, "crippled"),
        (80.5, "bed-bound or exaggerating"),
        (100, "bed-bound or exaggerating"),
    ],
)
def test_odi_band_edges_put_fractions_above_a_bound_in_the_next_band(percent, band):
    assert odi_band(percent) == band


# --- NPRS and PSFS ---


@pytest.mark.parametrize(
    ("score", "band"),
    [(0, "none"), (1, "mild"), (3, "mild"), (4, "moderate"), (6, "moderate"), (7, "severe"), (10, "severe")],
)
def test_nprs_band_edges(score, band):
    assert nprs_band(score) == band


@pytest.mark.parametrize("score", [-1, 11, 4.5, None, True])
def test_nprs_band_rejects_non_integer_or_out_of_range(score):
    with pytest.raises(ValueError):
        nprs_band(score)


def test_psfs_score_is_the_mean_rounded_half_up_to_one_decimal():
    assert psfs_score([3, 5, 8]).mean == 5.3
    assert psfs_score([1, 2, 2, 2]).mean == 1.8
    assert psfs_score([1, 1, 1, 2]).mean == 1.3  # 1.25 rounds up, not to even


def test_psfs_accepts_named_activities_and_ignores_unrated_slots():
    result = psfs_score({"climbing stairs": 4, "running": 6, "kneeling": 2, "lifting": None})
    assert (result.mean, result.activities, result.few_activities) == (4.0, 3, False)


def test_psfs_fewer_than_three_activities_is_scored_but_flagged():
    result = psfs_score([7, 8])
    assert (result.mean, result.few_activities) == (7.5, True)


@pytest.mark.parametrize("ratings", [[], [None], [1, 2, 3, 4, 5, 6], [11, 2, 3], [-1, 2, 3], [2.5, 3, 4]])
def test_psfs_rejects_bad_count_or_range(ratings):
    with pytest.raises(ValueError):
        psfs_score(ratings)


# --- MCID ---


def test_odi_change_meaningful_at_10_points_or_30_percent_improvement():
    assert odi_change_is_meaningful(50, 40)  # 10 points
    assert not odi_change_is_meaningful(50, 41)  # 9 points, 18%
    assert odi_change_is_meaningful(20, 14)  # 6 points but 30%
    assert not odi_change_is_meaningful(20, 14.2)  # 29%
    assert odi_change_is_meaningful(35.6, 24.9)  # 10.7 points


def test_odi_worsening_or_no_change_is_not_meaningful_improvement():
    assert not odi_change_is_meaningful(30, 45)
    assert not odi_change_is_meaningful(0, 0)


@pytest.mark.parametrize(
    ("baseline", "follow_up", "meaningful"),
    [
        (4, 3, True),  # baseline 1-4: 1 point
        (5, 4, False),  # baseline 5-7: 2 points
        (7, 5, True),
        (8, 6, False),  # baseline 8-10: 3 points
        (10, 7, True),
        (0, 0, False),
        (3, 5, False),
    ],
)
def test_nprs_change_uses_the_baseline_dependent_mcid(baseline, follow_up, meaningful):
    assert nprs_change_is_meaningful(baseline, follow_up) is meaningful


def test_psfs_change_meaningful_when_mean_rises_by_2():
    assert psfs_change_is_meaningful(3.0, 5.0)
    assert not psfs_change_is_meaningful(3.0, 4.9)
    assert not psfs_change_is_meaningful(6.0, 3.0)


def test_mcid_constants_carry_their_sources():
    assert (scoring.ODI_MCID, scoring.NPRS_MCID, scoring.PSFS_MCID) == (10, 2, 2)
    assert "Ostelo" in scoring.ODI_MCID_SOURCE
    assert "Ostelo" in scoring.NPRS_MCID_SOURCE
    assert "MDC90" in scoring.PSFS_MCID_SOURCE


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
    assert set(scoring.ROM_NORMS) == {
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


# --- Instruments ---


def test_shipped_instruments_have_their_wording_and_scales():
    assert "0 = no pain, 10 = worst pain imaginable" in NPRS.items[0].text
    assert [o.value for o in NPRS.items[0].options] == list(range(11))
    assert len(PSFS.items) == 5 and all(i.patient_named for i in PSFS.items)
    assert PSFS.items[0].options[0].text == "0 = unable to perform"
    assert PSFS.items[0].options[10].text == "10 = able to perform at pre-injury level"
    assert set(INSTRUMENTS) == {"nprs", "psfs", "odi"}


def test_odi_placeholder_says_it_is_a_placeholder_and_names_the_rights_holder():
    assert len(ODI_PLACEHOLDER.items) == 10
    assert [o.value for o in ODI_PLACEHOLDER.items[0].options] == [0, 1, 2, 3, 4, 5]
    texts = [o.text for item in ODI_PLACEHOLDER.items for o in item.options]
    assert all(t.startswith("Placeholder statement") and "licensed ODI wording" in t for t in texts)
    assert ODI_PLACEHOLDER.items[7].text == "Section 8: Sex life (placeholder)"
    assert "Jeremy Fairbank" in ODI_PLACEHOLDER.copyright and "Mapi" in ODI_PLACEHOLDER.copyright
    assert not ODI_PLACEHOLDER.licensed_text_loaded


def test_load_instrument_round_trips_json_of_a_shipped_definition():
    for instrument in (NPRS, PSFS, ODI_PLACEHOLDER):
        assert load_instrument(json.dumps(dataclasses.asdict(instrument))) == instrument


def _odi_definition():
    return json.loads(json.dumps(dataclasses.asdict(ODI_PLACEHOLDER)))


def test_load_instrument_rejects_wrong_number_of_options():
    definition = _odi_definition()
    definition["items"][2]["options"].pop()
    with pytest.raises(ValueError, match="has 5 options, the scoring rule needs 6"):
        load_instrument(definition)


def test_load_instrument_rejects_non_integer_values():
    definition = _odi_definition()
    definition["items"][0]["options"][1]["value"] = "1"
    with pytest.raises(ValueError, match="integer 'value'"):
        load_instrument(definition)


def test_load_instrument_rejects_missing_version():
    definition = _odi_definition()
    del definition["version"]
    with pytest.raises(ValueError, match="'version'"):
        load_instrument(definition)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["items"].pop(), "needs 10 items, got 9"),
        (lambda d: d.update(scoring="lefs"), "unknown scoring rule"),
        (lambda d: d["items"][1].update(key="pain_intensity"), "item keys repeat"),
        (lambda d: d["items"][0]["options"][5].update(value=6), "option values must be 0-5"),
    ],
)
def test_load_instrument_rejects_bad_structure(change, message):
    definition = _odi_definition()
    change(definition)
    with pytest.raises(ValueError, match=message):
        load_instrument(definition)


def test_load_instrument_rejects_invalid_json():
    with pytest.raises(ValueError, match="not valid JSON"):
        load_instrument("{not json")
