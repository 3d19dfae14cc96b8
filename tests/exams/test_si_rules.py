"""The SI joint suggestions (exams.rules, pure): the three Laslett rules and van der Wurff from the clinical reference,
section 2, each shown with its own figures, and what centralisation on repeated movements does to them.

Counts worked by hand from the reference's rows: Laslett 2003 counts 5 tests with Gaenslen once (either side);
Laslett 2005 counts 6, Gaenslen left and right apart; the "2 of 4" rule counts distraction, thigh thrust,
compression and sacral thrust only."""

import pytest

from exams.rules import suggest_differentials

P, N = "positive", "negative"


def _si(**tests):
    return [s for s in suggest_differentials({"special_tests": tests}) if s.condition == "si_joint_dysfunction"]


def _titled(suggestions, title):
    return [s for s in suggestions if s.title == title]


LASLETT_2003 = "SI joint pain likely"
SIX = "SI joint pain likely (6 tests, Gaenslen each side)"
TWO_OF_FOUR = "SI joint pain likely (2 of the 4 best tests)"
VAN_DER_WURFF = "SI joint pain likely (van der Wurff, with FABER)"


# --- Any 2 of the 4 best tests -------------------------------------------------------------------------------


def test_one_of_the_four_best_tests_positive_gives_no_two_of_four_suggestion():
    found = _si(distraction=P, thigh_thrust={"left": N, "right": N}, compression=N, sacral_thrust=N)
    assert _titled(found, TWO_OF_FOUR) == []
    assert found == []  # 1 of 5 and 1 of 6 fire nothing either


def test_two_of_the_four_best_tests_positive_fires_with_the_auc_and_names_the_tests():
    found = _si(distraction=N, thigh_thrust={"left": P, "right": N}, compression=N, sacral_thrust=P)
    [suggestion] = found  # 2 of 5 and 2 of 6: only the 2-of-4 rule fires
    assert suggestion.title == TWO_OF_FOUR and suggestion.kind == "suggests"
    assert suggestion.rule.startswith("2 of the 4 best SI tests positive")
    assert "area under the curve 0.842" in suggestion.rule and "[21]" in suggestion.rule
    assert "0.88 and specificity 0.78 are unconfirmed" in suggestion.rule
    assert suggestion.evidence == ("thigh thrust positive (left)", "sacral thrust positive")


def test_gaenslen_does_not_count_toward_the_four_best():
    assert _titled(_si(distraction=P, gaenslen={"left": P, "right": N}), TWO_OF_FOUR) == []


def test_thigh_thrust_on_both_sides_is_one_of_the_four():
    assert _si(thigh_thrust={"left": P, "right": P}) == []


# --- Laslett 2005: 6 tests, Gaenslen left and right apart ----------------------------------------------------


def test_gaenslen_left_and_right_alone_are_2_of_6_and_fire_nothing():
    assert _si(gaenslen={"left": P, "right": P}, distraction=N, compression=N, sacral_thrust=N,
               thigh_thrust={"left": N, "right": N}) == []


def test_gaenslen_both_sides_and_distraction_are_3_of_6_and_fire_the_6_test_rule_alone():
    found = _si(gaenslen={"left": P, "right": P}, distraction=P, compression=N, sacral_thrust=N,
                thigh_thrust={"left": N, "right": N})
    [suggestion] = found  # the 2003 count is 2 of 5 (Gaenslen once) and the best four hold 1: neither fires
    assert suggestion.title == SIX
    assert suggestion.rule.startswith("3 of 6 SI provocation tests positive, Gaenslen left and right counted apart")
    assert "sensitivity 0.94, specificity 0.78" in suggestion.rule and "[21]" in suggestion.rule
    assert "tested" not in suggestion.rule  # all six recorded
    assert suggestion.evidence == ("SI distraction positive", "Gaenslen left positive", "Gaenslen right positive")


def test_the_6_test_rule_says_how_many_were_tested():
    [suggestion] = _si(gaenslen={"left": P, "right": P}, distraction=P)
    assert "only 3 of 6 tested" in suggestion.rule


def test_a_gaenslen_recorded_without_sides_counts_once_in_the_6():
    assert _titled(_si(gaenslen=P, distraction=P), SIX) == []


# --- Laslett 2003: 3 or more of 5 ----------------------------------------------------------------------------


def test_3_of_5_fires_with_its_figures_and_asks_for_repeated_movements():
    found = _si(distraction=P, thigh_thrust={"left": P, "right": N}, compression=P, sacral_thrust=N,
                gaenslen={"left": N, "right": N})
    [laslett] = _titled(found, LASLETT_2003)
    assert laslett.rule.startswith("3 of 5 SI provocation tests positive")
    assert "sensitivity 0.91, specificity 0.78, LR+ 4.16, LR- 0.12" in laslett.rule
    assert "0.87 once centralisers are excluded: record repeated movements" in laslett.rule
    assert "thigh thrust positive (left)" in laslett.evidence
    # The same three are 3 of 6 and 3 of the 4 best: each rule is shown with its own figures.
    assert [s.title for s in found] == [LASLETT_2003, SIX, TWO_OF_FOUR]
    assert "0.94" in found[1].rule and "0.842" in found[2].rule


def test_2_of_5_with_gaenslen_once_does_not_fire_the_2003_rule():
    found = _si(distraction=P, gaenslen={"left": P, "right": N}, compression=N, sacral_thrust=N,
                thigh_thrust={"left": N, "right": N})
    assert found == []


def test_3_of_5_counts_gaenslen_on_either_side():
    [laslett] = _titled(_si(distraction=P, compression=P, gaenslen={"left": N, "right": P}), LASLETT_2003)
    assert "Gaenslen positive (right)" in laslett.evidence and "only 3 of 5 tested" in laslett.rule


# --- Centralisation on repeated movements --------------------------------------------------------------------


def test_pain_that_does_not_centralise_gives_the_2003_rule_specificity_087():
    [laslett] = _titled(_si(centralisation=N, distraction=P, thigh_thrust=P, compression=P), LASLETT_2003)
    assert "did not centralise on repeated movements, so specificity is 0.87" in laslett.rule
    assert "record repeated movements" not in laslett.rule


def test_pain_that_centralises_turns_the_positive_clusters_into_one_note_against_the_si_joint():
    found = _si(centralisation=P, distraction=P, thigh_thrust={"left": P, "right": N}, compression=P)
    [note] = found  # no "likely" suggestion is left
    assert note.kind == "argues_against" and note.title == "SI joint pain less likely: the pain centralised"
    assert "0.87 once centralisers are excluded" in note.rule and "lumbar source" in note.rule
    assert "3 of 5 SI provocation tests positive" in note.rule and "3 of the 4 best SI tests positive" in note.rule
    assert note.evidence[0] == "repeated movements: pain centralised"
    assert "thigh thrust positive (left)" in note.evidence


def test_centralisation_without_a_positive_cluster_adds_nothing():
    assert _si(centralisation=P, distraction=P) == []


# --- All six negative and van der Wurff ----------------------------------------------------------------------


def test_all_six_negative_argues_against_the_si_joint():
    [note] = _si(distraction=N, thigh_thrust={"left": N, "right": N}, compression=N, sacral_thrust=N,
                 gaenslen={"left": N, "right": N})
    assert note.kind == "argues_against"
    assert "All 6 SI provocation tests negative" in note.rule and "rules the SI joint out" in note.rule
    assert "Gaenslen left negative" in note.evidence and "Gaenslen right negative" in note.evidence


@pytest.mark.parametrize("gaenslen", [{"left": N, "right": "not_tested"}, N])
def test_the_all_negative_note_needs_gaenslen_negative_on_both_sides(gaenslen):
    assert _si(distraction=N, thigh_thrust=N, compression=N, sacral_thrust=N, gaenslen=gaenslen) == []


def test_van_der_wurff_uses_faber_instead_of_sacral_thrust():
    found = _si(distraction=P, thigh_thrust=P, sacral_thrust=N, faber=P)
    [variant] = _titled(found, VAN_DER_WURFF)
    assert variant.rule.startswith("3 of 5 SI tests positive with FABER instead of sacral thrust")
    assert "sensitivity 0.85, specificity 0.79" in variant.rule
    assert _titled(found, LASLETT_2003) == []  # FABER is not one of Laslett's five


def test_unknown_test_or_value_is_rejected():
    with pytest.raises(ValueError, match="unknown special tests"):
        suggest_differentials({"special_tests": {"distractoin": P}})
    with pytest.raises(ValueError, match="positive, negative or not_tested"):
        suggest_differentials({"special_tests": {"distraction": "yes"}})
