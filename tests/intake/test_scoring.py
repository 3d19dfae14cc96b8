"""Unit tests for intake.scoring and the shipped intake.instruments (pure functions, no database). How changes
are judged is in test_meaningful_change.py; reading instrument files in test_instrument_loading.py."""

import pytest

from intake.instruments import NPRS, PSFS, SHIPPED, legacy_placeholder_odi
from intake.scoring import nprs_band, odi_band, odi_score, psfs_score

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


# --- Instruments ---


def test_shipped_instruments_have_their_wording_and_scales():
    assert "0 = no pain, 10 = worst pain imaginable" in NPRS.items[0].text
    assert [o.value for o in NPRS.items[0].options] == list(range(11))
    assert len(PSFS.items) == 5 and all(i.patient_named for i in PSFS.items)
    assert PSFS.items[0].options[0].text == "0 = unable to perform"
    assert PSFS.items[0].options[10].text == "10 = able to perform at pre-injury level"
    assert set(SHIPPED) == {"nprs", "psfs"}  # the ODI is never shipped: its wording is licensed (Mapi)
    assert (NPRS.rule.higher_is_better, PSFS.rule.higher_is_better) == (False, True)


def test_the_legacy_odi_placeholder_describes_old_answers_as_demo_wording():
    legacy = legacy_placeholder_odi()
    assert len(legacy.items) == 10 and legacy.demo_wording and legacy.version == "placeholder"
    assert [o.value for o in legacy.items[0].options] == [0, 1, 2, 3, 4, 5]
    assert legacy.items[7].text == "Section 8: Sex life (placeholder)"
