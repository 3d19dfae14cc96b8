"""The exam page's gait and mobility sections: their rows (each value with its flags, its norm and, for pairs,
the symmetry index or side-to-side difference) and the slots the autosave refreshes as values change. No queries:
the norms and flags come from exams.selectors, which read the exam and its patient already loaded."""

from django.template.loader import render_to_string

from . import selectors
from .catalogue import GAIT_MEASURES, GAIT_SYMMETRY, GAITS, MOTIONS, ROTATIONS, gait_value_keys, motion_keys
from .forms import GAIT_DEVIATIONS, LEGACY_WALKING_KEYS, asks_sex


def _sides(measure):
    return ("left", "right") if measure.sided else ("",)


def _symmetry(exam, kind, key):
    return (((exam.findings.get("gait") or {}).get(kind) or {}).get("symmetry") or {}).get(key)


def gait_tables(exam, form, flags) -> list[dict]:
    """Walking then running: each measure's fields with their flags and norm, the symmetry index under the
    pairs it is computed on, the observed deviations, and whether anything was recorded for that gait."""
    gait = exam.findings.get("gait") or {}
    norms = selectors.gait_norms(exam)
    tables = []
    for kind, title in GAITS.items():
        rows = []
        for measure in GAIT_MEASURES[kind]:
            keys = [f"{measure.key}_{side}" if side else measure.key for side in _sides(measure)]
            row = {
                "measure": measure, "norm": norms[kind][measure.key], "norm_slot": f"{kind}_norm_{measure.key}",
                "cells": [{"field": form[f"{kind}_{key}"], "slot": f"{kind}_{key}", "flags": flags.get(f"{kind}_{key}", [])}
                          for key in keys],
            }
            if measure.key in GAIT_SYMMETRY[kind]:
                slot = f"{kind}_symmetry_{measure.key}"
                row["symmetry"] = {"slot": slot, "si": _symmetry(exam, kind, measure.key), "flags": flags.get(slot, []),
                                   "norm": norms[kind][f"symmetry_{measure.key}"],
                                   "label": f"Symmetry index, {measure.label.lower()}"}
            rows.append(row)
        entry = gait.get(kind) or {}
        tables.append({
            "kind": kind, "title": title, "rows": rows, "recorded": kind in gait,
            "legacy": [(key, entry[key]) for key in LEGACY_WALKING_KEYS if entry.get(key) is not None],
            "deviations": [(key, label, form[f"{kind}_deviations_left"], form[f"{kind}_deviations_right"])
                           for key, label in GAIT_DEVIATIONS],
            "other": form[f"{kind}_deviations_other"],
        })
    return tables


def gait_sex(exam, form) -> dict:
    """The optional sex question of the walking norms: asked only when the patient record does not say."""
    return {"asked": asks_sex(exam.patient), "field": form["sex"] if "sex" in form.fields else None,
            "used": selectors.norm_sex(exam), "from_record": not asks_sex(exam.patient)}


def mobility_rows(exam, form, flags) -> list[dict]:
    mobility = exam.findings.get("mobility") or {}
    norms, differences = selectors.mobility_norms(mobility), selectors.side_differences(mobility)
    return [
        {
            "motion": motion, "label": label, "sided": sided, "norm": norms[motion],
            "position": form[f"{motion}_position"] if motion in ROTATIONS else None,
            "difference": differences.get(motion),
            "cells": [
                {"key": key, "field": form[f"{motion}_{key}"], "pain": form[f"{motion}_{key}_pain"],
                 "flags": flags.get(f"{motion}_{key}", [])}
                for key in motion_keys(motion)
            ],
        }
        for motion, (label, sided) in MOTIONS.items()
    ]


def _flags_html(flags):
    return render_to_string("exams/_flags.html", {"flags": flags}).strip()


def flag_payload(exam, section) -> dict[str, str]:
    """Every refreshable slot of the section (empty ones too), rendered, for the page to replace on autosave:
    flags beside values, and what follows from them (symmetry, side-to-side difference, a position's norm, a
    norm that follows the sex answered)."""
    flags = selectors.section_flags(exam, section)
    if section == "mobility":
        mobility = exam.findings.get("mobility") or {}
        payload = {f"{m}_{k}": _flags_html(flags.get(f"{m}_{k}", [])) for m in MOTIONS for k in motion_keys(m)}
        for motion, difference in selectors.side_differences(mobility).items():
            payload[f"diff_{motion}"] = render_to_string("exams/_difference.html", {"difference": difference}).strip()
        norms = selectors.mobility_norms(mobility)
        for motion in ROTATIONS:
            payload[f"norm_{motion}"] = render_to_string("exams/_rom_norm.html", {"norm": norms[motion]}).strip()
        return payload
    payload = {}
    norms = selectors.gait_norms(exam)
    for kind in GAITS:
        for key in gait_value_keys(kind):
            payload[f"{kind}_{key}"] = _flags_html(flags.get(f"{kind}_{key}", []))
        for key in GAIT_SYMMETRY[kind]:
            slot = f"{kind}_symmetry_{key}"
            payload[slot] = render_to_string("exams/_symmetry.html", {
                "si": _symmetry(exam, kind, key), "flags": flags.get(slot, []), "editable": True,
            })
        for key, norm in norms[kind].items():
            if not key.startswith("symmetry_"):
                payload[f"{kind}_norm_{key}"] = render_to_string("exams/_norm.html", {"norm": norm}).strip()
    return payload
