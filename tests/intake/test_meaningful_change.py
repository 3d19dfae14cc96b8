"""A change is meaningful only when it is at least the measure's measurement error (clinical reference, product
decisions, second round): NPRS max(2, 30% of baseline) in whole points, ODI 10 points, PSFS 2 on the mean and
3 for one activity, LEFS 9. Worsening is judged like improvement, shown like a red flag, and each plot's band is
the same threshold as the rule that labels its points. Every figure below is worked by hand from the reference."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from intake import plots, scoring
from intake import selectors as intake_selectors
from intake.models import OutcomeScore
from tests.factories import sign_in

IMPROVED, WORSENED, WITHIN = scoring.IMPROVED, scoring.WORSENED, scoring.WITHIN_ERROR


# --- NPRS: max(2 points, 30% of the baseline), whole points: 2 for baselines 0-6, 3 for 7-10 ---------------------


@pytest.mark.parametrize(("baseline", "needed"), [(0, 2), (1, 2), (4, 2), (6, 2), (7, 3), (8, 3), (10, 3)])
def test_the_nprs_threshold_is_2_up_to_a_baseline_of_6_and_3_from_7(baseline, needed):
    # 30% of 6 is 1.8 (under 2); 30% of 7 is 2.1, which in whole points is 3; 30% of 10 is exactly 3.
    assert scoring.nprs_threshold(baseline) == needed


@pytest.mark.parametrize(
    ("baseline", "follow_up", "verdict"),
    [
        (6, 4, IMPROVED),  # exactly 2, the threshold: meaningful
        (6, 5, WITHIN),  # one below
        (7, 4, IMPROVED),  # exactly 3 from a baseline of 7
        (7, 5, WITHIN),  # 2 is enough below 7, not from 7
        (10, 7, IMPROVED),
        (10, 8, WITHIN),
        (3, 5, WORSENED),  # 2 points worse from a low baseline: a meaningful worsening
        (3, 4, WITHIN),
        (7, 10, WORSENED),  # 3 worse from 7
        (8, 10, WITHIN),  # 2 worse from 8 needs 3
        (0, 2, WORSENED),
    ],
)
def test_nprs_change_is_judged_both_ways_by_the_baseline_threshold(baseline, follow_up, verdict):
    change = scoring.nprs_change(baseline, follow_up)
    assert change.verdict == verdict and change.meaningful is (verdict != WITHIN)
    assert change.change == follow_up - baseline


# --- ODI: at least 10 points; 30% of baseline is context only ------------------------------------------------


def test_an_odi_change_of_exactly_10_points_is_meaningful_and_9_9_is_not():
    assert scoring.odi_change(50, 40).verdict == IMPROVED
    assert scoring.odi_change(50, 40.1).verdict == WITHIN  # 9.9 points
    assert scoring.odi_change(35.6, 25.6).verdict == IMPROVED  # 10.0 exactly, no float noise
    assert scoring.odi_change(35.6, 25.7).verdict == WITHIN


def test_an_odi_worsening_of_10_points_is_meaningful():
    assert scoring.odi_change(30, 40).verdict == WORSENED
    assert scoring.odi_change(30, 39).verdict == WITHIN
    assert scoring.odi_change(35.6, 60).worsened  # 24.4 points worse


def test_the_odi_30_percent_is_shown_as_context_but_never_makes_a_change_meaningful_alone():
    # 5 -> 3.5 is a 30% fall, but only 1.5 points: not meaningful.
    change = scoring.odi_change(5, 3.5)
    assert change.verdict == WITHIN and not change.meaningful
    assert "30% of the baseline would be 1.5 points" in change.context
    # 20 -> 14: 30% too, 6 points: still not meaningful (the old rule called it meaningful).
    assert scoring.odi_change(20, 14).verdict == WITHIN
    assert "6 points" in scoring.odi_change(20, 14).context


# --- PSFS: 2 on the mean, 3 for a single activity; higher is better ------------------------------------------


def test_the_psfs_mean_needs_2_points_either_way():
    assert scoring.psfs_change(3.0, 5.0).verdict == IMPROVED  # exactly 2
    assert scoring.psfs_change(3.0, 4.9).verdict == WITHIN
    assert scoring.psfs_change(6.0, 4.0).verdict == WORSENED  # higher is better: falling 2 is worse
    assert scoring.psfs_change(6.0, 4.1).verdict == WITHIN


def test_a_single_psfs_activity_needs_3_points():
    assert scoring.psfs_activity_change(4, 7).verdict == IMPROVED
    assert scoring.psfs_activity_change(4, 6).verdict == WITHIN
    assert scoring.psfs_activity_change(7, 4).verdict == WORSENED
    assert scoring.psfs_activity_change(7, 5).verdict == WITHIN


# --- LEFS through the generic sum rule: 20 items 0-4, 0-80, higher is better, threshold 9 ---------------------


def _lefs(before, after):
    return scoring.change_for("sum", before, after, threshold=9, higher_is_better=True, low=0, high=80)


def test_lefs_rising_by_9_is_a_meaningful_improvement_and_8_is_not():
    assert _lefs(40, 49).verdict == IMPROVED
    assert _lefs(40, 48).verdict == WITHIN


def test_lefs_falling_by_9_is_a_meaningful_worsening_because_higher_is_better():
    assert _lefs(40, 31).verdict == WORSENED
    assert _lefs(40, 32).verdict == WITHIN


def test_the_sum_rule_adds_every_answer_and_refuses_a_partly_answered_form():
    items = {f"activity_{n}": (0, 1, 2, 3, 4) for n in range(1, 21)}
    assert scoring.sum_score({key: 3 for key in items}, items) == 60  # 20 x 3
    assert scoring.sum_score({key: 4 for key in items}, items) == 80
    with pytest.raises(ValueError, match="every item must be answered"):
        scoring.sum_score({key: 3 for key in list(items)[:19]}, items)  # the LEFS rule for skipped items is unconfirmed
    with pytest.raises(ValueError):
        scoring.sum_score({key: 5 for key in items}, items)


# --- The plots and the chart ----------------------------------------------------------------------------------


def _band(svg):
    found = re.search(r'<rect class="change-band"[^>]* y="([\d.]+)" width="\d+" height="([\d.]+)"', svg)
    return float(found.group(1)), float(found.group(2))


def _scores(patient, instrument, values, *, version="1", demo=False):
    start = timezone.now() - timedelta(days=7 * len(values))
    for n, value in enumerate(values):
        OutcomeScore.objects.create(patient=patient, instrument=instrument, instrument_version=version, demo_wording=demo,
                                    value=Decimal(str(value)), recorded_at=start + timedelta(days=7 * n))


@pytest.mark.django_db
def test_the_nprs_plot_band_is_the_threshold_its_points_are_judged_by(patient):
    _scores(patient, "nprs", [7, 4, 5, 10])
    (nprs,) = intake_selectors.progress_series(patient.pk)
    assert nprs.threshold == 3  # baseline 7: 30% is 2.1, so 3 whole points
    assert [p.verdict for p in nprs.points] == ["", IMPROVED, WITHIN, WORSENED]  # 4 on the edge, 5 inside, 10 on it
    top, height = _band(str(nprs.svg))
    # Plot height 166 px for 0-10, top at 14: the band runs from 7 + 3 = 10 (y 14) down to 7 - 3 = 4 (y 113.6).
    assert top == pytest.approx(14, abs=0.2) and height == pytest.approx(166 * 0.6, abs=0.2)
    assert str(nprs.svg).count('class="point worsened"') == 1 and "▲ meaningful worsening" in str(nprs.svg)


@pytest.mark.django_db
def test_a_low_nprs_baseline_gets_the_2_point_band(patient):
    _scores(patient, "nprs", [3, 5])
    (nprs,) = intake_selectors.progress_series(patient.pk)
    assert nprs.threshold == 2 and nprs.points[1].worsened and nprs.worsened
    top, height = _band(str(nprs.svg))
    assert top == pytest.approx(14 + 166 * 0.5, abs=0.2) and height == pytest.approx(166 * 0.4, abs=0.2)  # 1 to 5


def test_a_band_reaching_past_the_scale_is_cut_at_its_end():
    now = timezone.now()
    svg = str(plots.line_chart([(now, 95)], low=0, high=100, baseline=95, threshold=10, title="ODI"))
    top, height = _band(svg)
    assert top == pytest.approx(14, abs=0.2) and height == pytest.approx(166 * 0.15, abs=0.2)  # 85 to 100


@pytest.mark.django_db
def test_a_meaningful_worsening_is_an_alert_on_the_chart_like_a_red_flag(client, patient, dr_rivera, visit):
    _scores(patient, "nprs", [3, 5])  # 2 worse from 3: at the threshold
    sign_in(client, dr_rivera.user)
    html = client.get(f"/patients/{patient.mrn}/").content.decode()
    alert = re.search(r'<div class="alert alert-danger red-flag-alert worsening-alert[^"]*" role="alert">(.*?)</div>\s*</div>',
                      html, re.S)
    assert alert and "Meaningful worsening" in alert.group(1) and "Pain (NPRS)" in alert.group(1)
    assert "+2, at least the 2 that counts as a meaningful change" in " ".join(alert.group(1).split())
    table = html[html.index("Pain (NPRS): the plotted values"):]
    assert "Yes: worse" in table[:table.index("</table>")]


@pytest.mark.django_db
def test_one_point_short_of_a_worsening_raises_no_alert(client, patient, dr_rivera, visit):
    _scores(patient, "nprs", [3, 4])
    sign_in(client, dr_rivera.user)
    html = client.get(f"/patients/{patient.mrn}/").content.decode()
    assert "worsening-alert" not in html and "No: within measurement error" in html


@pytest.mark.django_db
def test_demo_wording_scores_are_their_own_series_never_joined_to_the_real_odi(patient):
    _scores(patient, "odi", [40, 20], version="placeholder", demo=True)
    _scores(patient, "odi", [30], version="2.1a-test")
    series = intake_selectors.progress_series(patient.pk)
    assert [(s.instrument, s.demo_wording, [p.value for p in s.points]) for s in series] == [
        ("odi", False, [30.0]), ("odi", True, [40.0, 20.0])]
    assert all(p.band == "" for p in series[1].points) and "demo wording" in str(series[1].svg)
