"""The chart page as a composition: each app draws its own section of a patient's chart.

An app registers its sections from its AppConfig.ready with `register(Section(...))`: the template that
draws it, its title (its heading, and its entry in the page's section index), where on the page it goes,
who may see it, and the call of its own selector that loads what it shows. The page loads the patient with
the viewer's clinical access once, asks each section whether this viewer may see it, loads only those (a
hidden section runs no query), and includes their templates in the one response. Sections are included
server-side rather than fetched as htmx fragments: each fragment request would pay the session, the
signed-in user, the patient and the access check again, and the chart (its print view, its tests, its no-JS
path) stays one page. Patients imports none of the apps above it."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from . import care

# Where a section goes: the alert boxes above the cards; the three summary cards; inside the "Intake and
# exams" card (replaced by the emergency-access form for a clinician outside the patient's care); the
# records cards; full width at the bottom.
SLOTS = ("alerts", "summary", "clinical", "records", "wide")
CLINICAL = "intake.view_clinical"
# What stands in the clinical slot for a clinician outside the patient's care: the emergency-access form.
LOCKED_CLINICAL = ("intake-and-exams", _("Intake and exams"))


def _always(chart):
    return True


@dataclass(frozen=True)
class Section:
    name: str  # also what the chart's audit row lists when it was shown
    slot: str
    order: int
    template: str  # drawn with the page's context plus `section` (what `load` returned), `anchor` and `title`
    title: str  # the section's heading and its entry in the section index (a lazy translation)
    load: Callable[["Chart"], dict]
    visible: Callable[["Chart"], bool] = _always

    @property
    def anchor(self):
        """The id of the section's element on the page: what the section index links to (#documents)."""
        return self.name.replace("_", "-")


_sections: dict[str, Section] = {}


def register(section: Section):
    if section.slot not in SLOTS:
        raise ValueError(f"Unknown chart slot {section.slot!r}")
    _sections[section.name] = section


class Chart:
    """What every section is given: the patient, the viewer and their clinical access, and a memo so two
    sections that show the same rows (the intake list and the progress plots: the scores) load them once."""

    def __init__(self, *, request, patient, access: care.ClinicalAccess):
        self.request, self.patient, self.viewer, self.access = request, patient, request.user, access
        self._memo = {}

    @property
    def may_read_clinical(self):
        """The viewer's role reads clinical records (whether or not this patient is in their care)."""
        return self.viewer.has_perm(CLINICAL)

    @property
    def reads_clinical(self):
        return self.may_read_clinical and self.access.allowed

    @property
    def clinical_locked(self):
        """A clinician outside this patient's care: the chart as the front desk sees it, plus the way in."""
        return self.may_read_clinical and not self.access.allowed

    def once(self, key, load):
        if key not in self._memo:
            self._memo[key] = load()
        return self._memo[key]

    def data(self, name):
        """Another section's data (loaded once for both)."""
        return self.once(("section", name), lambda: _sections[name].load(self))


@dataclass(frozen=True)
class Drawn:
    name: str
    template: str
    data: dict
    anchor: str
    title: str


def compose(chart: Chart) -> dict[str, list[Drawn]]:
    """The sections this viewer sees, loaded, by slot in page order."""
    slots = {slot: [] for slot in SLOTS}
    for section in sorted(_sections.values(), key=lambda s: (SLOTS.index(s.slot), s.order)):
        if section.slot == "clinical" and chart.clinical_locked:
            continue
        if section.visible(chart):
            slots[section.slot].append(Drawn(section.name, section.template, chart.data(section.name),
                                             section.anchor, section.title))
    return slots


def index(slots, *, clinical_locked) -> list[tuple[str, str]]:
    """The section index of the page, in page order: (anchor, title) of each section drawn. The alerts stand
    above the first section, impossible to miss, and are not a place one goes to."""
    entries = []
    for slot in SLOTS:
        if slot == "alerts":
            continue
        if slot == "clinical" and clinical_locked:
            entries.append(LOCKED_CLINICAL)
        entries += [(drawn.anchor, drawn.title) for drawn in slots[slot]]
    return entries


def shown(slots) -> list[str]:
    return [drawn.name for drawn in (d for slot in slots.values() for d in slot)]
