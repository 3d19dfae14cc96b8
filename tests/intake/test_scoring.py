"""Unit tests for intake.scoring and intake.instruments (pure functions, no database)."""

import dataclasses
import json

import pytest

from intake import scoring
from intake.instruments import INSTRUMENTS, NPRS, ODI_PLACEHOLDER, PSFS, load_instrument
from intake.scoring import (
    nprs_band,
    nprs_change_is_meaningful,
    odi_band,
    odi_change_is_meaningful,
    odi_score,
    psfs_change_is_meaningful,
    psfs_score,
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
