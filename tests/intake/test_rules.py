"""Unit tests for intake.rules, the red-flag screen (pure functions, no database)."""

import pytest

from intake.rules import highest_urgency, red_flags

# --- Red flags ---


def test_saddle_numbness_is_an_emergency_labelled_incomplete_ces_without_retention():
    [flag] = red_flags({"saddle_numbness": True})
    assert (flag.category, flag.urgency) == ("cauda_equina", "emergency")
    assert flag.note.startswith("incomplete CES")


def test_urinary_retention_labels_every_ces_flag_ces_with_retention():
    flags = red_flags({"urinary_retention": True, "saddle_numbness": True, "fever": False})
    assert [f.item for f in flags] == ["saddle_numbness", "urinary_retention"]
    assert all(f.urgency == "emergency" and f.note == "CES with retention" for f in flags)


def test_age_alone_is_context_only():
    flags = red_flags({}, age=75)
    assert {(f.item, f.urgency) for f in flags} == {("age_50_plus", "context"), ("age_over_70", "context")}
    assert highest_urgency(flags) == "context"


def test_age_under_50_raises_no_flag():
    assert red_flags({"previous_cancer": False}, age=49) == []


def test_cancer_history_is_urgent():
    flags = red_flags({"previous_cancer": True}, age=55)
    assert flags[0].item == "previous_cancer" and flags[0].urgency == "urgent"
    assert "Sp 0.98" in flags[0].source
    assert highest_urgency(flags) == "urgent"


@pytest.mark.parametrize(
    ("item", "category"),
    [("fever", "infection"), ("major_trauma", "fracture"), ("progressive_deficit", "severe_neuro")],
)
def test_other_red_flags_are_urgent(item, category):
    [flag] = red_flags({item: True})
    assert (flag.category, flag.urgency) == (category, "urgent")


def test_minor_fall_is_urgent_only_if_older_or_osteoporotic():
    assert red_flags({"minor_trauma": True}, age=60)[0].urgency == "context"
    assert red_flags({"minor_trauma": True, "osteoporosis": True})[0].urgency == "urgent"
    assert red_flags({"minor_trauma": True}, age=72)[0].urgency == "urgent"


def test_red_flags_sorted_most_urgent_first():
    flags = red_flags({"fever": True, "bowel_incontinence": True}, age=52)
    assert [f.urgency for f in flags] == ["emergency", "urgent", "context"]
    assert highest_urgency(flags) == "emergency"
    assert highest_urgency([]) is None


def test_red_flags_reject_unknown_items_and_non_boolean_answers():
    with pytest.raises(ValueError, match="unknown red-flag answers"):
        red_flags({"saddle_numbnes": True})
    with pytest.raises(ValueError, match="True, False or None"):
        red_flags({"fever": "yes"})
