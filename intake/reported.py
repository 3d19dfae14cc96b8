"""What the patient reported on their submitted intake, worded for the clinician: the body map as a drawing,
symptoms, what eases and aggravates, goals, and the outcome answers the exam brings in (ODI sections, NPRS,
PSFS activities). Read from the form's stored shape (intake.questionnaire) without a query.

The body map is stored as {region: [kinds]} (a region can carry several); the single kind per region of forms
saved before is read too (questionnaire.map_kinds).
"""

from django.utils.translation import gettext as _

from . import instruments, questionnaire, vocabulary

MAP_KIND_LABELS = dict(questionnaire.MAP_KINDS)
# A letter beside the colour (colour is never the only signal), and the fill's pattern name in the SVG.
MAP_KIND_LETTER = {"pain": "P", "tingling": "T", "numbness": "N"}
# Fill, outline and letter colours per kind: the patient's form's colours, drawn as SVG attributes so they print.
MAP_KIND_COLOURS = {"pain": ("#e58a93", "#8f1623", "#5c0d16"), "tingling": ("#f6c85f", "#7a5200", "#2b1d00"),
                    "numbness": ("#8db8f8", "#0a3f8f", "#06265a")}


def _slices(x, y, w, h, kinds):
    """A region marked with several kinds is split into side-by-side slices, one per kind."""
    width = w / len(kinds)
    return [{"kind": kind, "x": round(x + i * width, 1), "y": y, "w": round(width, 1), "h": h,
             "cx": round(x + (i + .5) * width, 1), "cy": round(y + h / 2 + 4, 1), "letter": MAP_KIND_LETTER[kind],
             "fill": MAP_KIND_COLOURS[kind][0], "stroke": MAP_KIND_COLOURS[kind][1], "ink": MAP_KIND_COLOURS[kind][2]}
            for i, kind in enumerate(kinds)]


def body_map_drawing(marks) -> dict:
    """The back and front views with the marked regions in the outline's units (200 x 300), and the marks as text.

    {"views": [{"key", "title", "left", "right", "regions": [{"key", "label", "x", "y", "w", "h", "kinds",
    "slices"}]}], "marked": [(label, "pain, tingling")], "kinds": [kinds used, for the legend]}."""
    marks = marks if isinstance(marks, dict) else {}
    views, marked, used = [], [], []
    for view, title, left, right in (("back", _("Back"), _("Left"), _("Right")),
                                     ("front", _("Front"), _("Right"), _("Left"))):
        regions = []
        for region in questionnaire.BODY_REGIONS:
            if region["view"] != view:
                continue
            kinds = questionnaire.map_kinds(marks.get(region["key"]))
            if not kinds:
                continue
            x, y, w, h = region["box"]
            regions.append({"key": region["key"], "label": region["label"], "x": x, "y": y, "w": w, "h": h,
                            "kinds": kinds, "slices": _slices(x, y, w, h, kinds)})
            marked.append((region["label"], ", ".join(str(MAP_KIND_LABELS[k]).lower() for k in kinds)))
            used += [k for k in kinds if k not in used]
        views.append({"key": view, "title": title, "left": left, "right": right, "regions": regions})
    legend = [(kind, MAP_KIND_LABELS[kind], MAP_KIND_LETTER[kind]) for kind in MAP_KIND_LABELS if kind in used]
    return {"views": views, "marked": marked, "legend": legend}


def _labels(values, choices) -> list[str]:
    names = dict(choices)
    return [str(names.get(value, value)) for value in values or [] if value in names]


def reported(intake) -> dict | None:
    """What the patient said, for the top of the exam and the report (None without a submitted intake)."""
    if intake is None:
        return None
    answers = intake.answers or {}
    complaint, goals = answers.get("complaint") or {}, answers.get("goals") or {}
    worse = _labels(complaint.get("worse_with"), questionnaire.WORSE_WITH)
    if complaint.get("sitting_minutes") not in (None, ""):
        worse = [_("%(worse)s (sitting: %(minutes)s min before it hurts more)") % {
            "worse": ", ".join(worse), "minutes": complaint["sitting_minutes"]}] if worse else worse
    eases = _labels(complaint.get("eases"), questionnaire.EASES)
    if complaint.get("eases_other"):
        eases.append(str(complaint["eases_other"]))
    symptoms = _labels(complaint.get("symptoms"), questionnaire.SYMPTOMS)
    leg = []
    if complaint.get("leg_side"):
        leg.append(str(dict(vocabulary.LIMB_OR_BOTH).get(complaint["leg_side"], complaint["leg_side"])))
    if complaint.get("leg_extent"):
        extent = dict(questionnaire.ComplaintForm.base_fields["leg_extent"].choices)
        leg.append(str(extent.get(complaint["leg_extent"], complaint["leg_extent"])).lower())
    return {
        "intake": intake,
        "submitted_at": intake.submitted_at,
        "body_map": body_map_drawing(complaint.get("body_map")),
        "symptoms": symptoms,
        "leg": ", ".join(leg),
        "worse_with": worse,
        "eases": eases,
        "goals": goals.get("goals") or "",
        "target": goals.get("target") or "",
        "concerns": goals.get("concerns") or "",
    }


def outcome_answers(intake) -> dict:
    """The outcome answers the exam's scores section starts from: NPRS (pain now), each ODI section (0-5) and the
    PSFS activities with their ratings, as the patient gave them; with the form's id and submission time."""
    if intake is None:
        return {}
    answers = intake.answers or {}
    outcomes, complaint = answers.get("outcomes") or {}, answers.get("complaint") or {}
    odi = {key: outcomes.get(f"odi_{key}") for key in instruments.ODI_KEYS}
    odi_on = questionnaire.answered_on(outcomes).get("odi") or {}
    psfs = [
        {"activity": str(outcomes[f"psfs_activity_{n}"]).strip(), "rating": outcomes.get(f"psfs_rating_{n}")}
        for n in range(1, questionnaire.PSFS_SLOTS + 1)
        if str(outcomes.get(f"psfs_activity_{n}") or "").strip()
    ]
    return {
        "intake_id": intake.pk,
        "submitted_at": intake.submitted_at.isoformat() if intake.submitted_at else None,
        "nprs": complaint.get("pain_now"),
        "odi": odi if any(v is not None for v in odi.values()) else {},
        # The wording the patient answered the ODI on: the exam keeps it while it keeps their values.
        "odi_version": odi_on.get("version"),
        "odi_demo_wording": instruments.is_demo_version("odi", odi_on.get("version") or "", odi_on.get("demo_wording")),
        "psfs": psfs,
    }
