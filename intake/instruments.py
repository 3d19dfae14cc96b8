"""Questionnaires as data: instrument definitions, the shipped NPRS/PSFS, an ODI placeholder and a loader.

Pure module (no Django). A definition has a key, name, version, items with scored answer options,
the name of its scoring rule (a function in intake/scoring.py) and a copyright notice. Clinics load
licensed instruments (the ODI, LEFS...) with `load_instrument`; the version is stored with every response.
"""

import json
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Option:
    value: int
    text: str


@dataclass(frozen=True)
class Item:
    key: str
    text: str
    options: tuple[Option, ...]
    patient_named: bool = False  # PSFS: the patient writes the activity in, the text is only a prompt


@dataclass(frozen=True)
class Instrument:
    key: str
    name: str
    version: str
    items: tuple[Item, ...]
    scoring: str
    copyright: str = ""
    instructions: str = ""
    licensed_text_loaded: bool = True  # False for the ODI placeholder: do not give it to patients
    notes: tuple[str, ...] = field(default_factory=tuple)


# Item count (min, max) and option values each scoring rule needs; load_instrument checks against this.
SCORING_SHAPES = {
    "odi": ((10, 10), tuple(range(6))),
    "nprs": ((1, 1), tuple(range(11))),
    "psfs": ((1, 5), tuple(range(11))),
}


def _scale(low_text: str, high_text: str) -> tuple[Option, ...]:
    """Return 0-10 options with anchor text at both ends."""
    return tuple(Option(v, {0: low_text, 10: high_text}.get(v, str(v))) for v in range(11))


NPRS = Instrument(
    key="nprs",
    name="Numeric Pain Rating Scale (NPRS-11)",
    version="1",
    items=(
        Item(
            key="pain",
            text="Rate your pain from 0 to 10: 0 = no pain, 10 = worst pain imaginable.",
            options=_scale("0 = no pain", "10 = worst pain imaginable"),
        ),
    ),
    scoring="nprs",
    copyright="Generic 0-10 scale; no rights holder found (unconfirmed).",
)

PSFS = Instrument(
    key="psfs",
    name="Patient-Specific Functional Scale (PSFS, original form)",
    version="1995-original",
    instructions=(
        "Name 3 to 5 important activities that you are unable to do or have difficulty with because of "
        "your problem. For each, choose a number from 0 = unable to perform the activity to "
        "10 = able to perform the activity at the same level as before the injury or problem."
    ),
    items=tuple(
        Item(
            key=f"activity_{n}",
            text=f"Activity {n}",
            options=_scale("0 = unable to perform", "10 = able to perform at pre-injury level"),
            patient_named=True,
        )
        for n in range(1, 6)
    ),
    scoring="psfs",
    copyright="Stratford et al. 1995; listed as free to use. Commercial terms unconfirmed.",
    notes=("Original scale (0 = unable). PSFS 2.0 reverses the scale: do not mix the two.",),
)

ODI_SECTIONS = (
    ("pain_intensity", "Pain intensity"),
    ("personal_care", "Personal care"),
    ("lifting", "Lifting"),
    ("walking", "Walking"),
    ("sitting", "Sitting"),
    ("standing", "Standing"),
    ("sleeping", "Sleeping"),
    ("sex_life", "Sex life"),
    ("social_life", "Social life"),
    ("travelling", "Travelling"),
)


def _placeholder_option(value: int) -> Option:
    hint = {0: " (least difficulty)", 5: " (most difficulty)"}.get(value, "")
    return Option(value, f"Placeholder statement {value}{hint} - load the clinic's licensed ODI wording")


ODI_PLACEHOLDER = Instrument(
    key="odi",
    name="Oswestry Disability Index (placeholder wording)",
    version="placeholder",
    items=tuple(
        Item(key=key, text=f"Section {n}: {topic} (placeholder)", options=tuple(map(_placeholder_option, range(6))))
        for n, (key, topic) in enumerate(ODI_SECTIONS, start=1)
    ),
    scoring="odi",
    copyright=(
        "© Jeremy Fairbank 1980; use is handled by Mapi Research Trust. The item wording is licensed: "
        "this placeholder must be replaced by the clinic's licensed ODI text (load_instrument) before use."
    ),
    licensed_text_loaded=False,
)

INSTRUMENTS = {i.key: i for i in (NPRS, PSFS, ODI_PLACEHOLDER)}


def _require_text(data: dict, name: str, where: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: missing or empty '{name}'")
    return value


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _load_item(raw, index: int, values: tuple[int, ...] | None) -> Item:
    where = f"item {index + 1}"
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: must be an object")
    key, text = _require_text(raw, "key", where), _require_text(raw, "text", where)
    options = raw.get("options")
    if not isinstance(options, list | tuple) or len(options) < 2:
        raise ValueError(f"{where} ({key}): needs a list of at least 2 options")
    if values is not None and len(options) != len(values):
        raise ValueError(f"{where} ({key}): has {len(options)} options, the scoring rule needs {len(values)}")
    parsed = []
    for raw_option in options:
        if not isinstance(raw_option, dict) or not _is_int(raw_option.get("value")):
            raise ValueError(f"{where} ({key}): every option needs an integer 'value'")
        parsed.append(Option(raw_option["value"], _require_text(raw_option, "text", f"{where} ({key}) option")))
    found = tuple(sorted(o.value for o in parsed))
    if len(set(found)) != len(found):
        raise ValueError(f"{where} ({key}): option values repeat")
    if values is not None and found != values:
        raise ValueError(f"{where} ({key}): option values must be {values[0]}-{values[-1]}")
    return Item(key=key, text=text, options=tuple(parsed), patient_named=bool(raw.get("patient_named", False)))


def load_instrument(definition: dict | str) -> Instrument:
    """Validate a clinic-supplied definition (dict or JSON text) and return an Instrument."""
    if isinstance(definition, str):
        try:
            definition = json.loads(definition)
        except json.JSONDecodeError as exc:
            raise ValueError(f"instrument: not valid JSON ({exc})") from exc
    if not isinstance(definition, dict):
        raise ValueError("instrument: must be an object")
    key = _require_text(definition, "key", "instrument")
    name = _require_text(definition, "name", "instrument")
    version = _require_text(definition, "version", "instrument")
    scoring = _require_text(definition, "scoring", "instrument")
    if scoring not in SCORING_SHAPES:
        raise ValueError(f"instrument: unknown scoring rule '{scoring}' (known: {', '.join(SCORING_SHAPES)})")
    (least, most), values = SCORING_SHAPES[scoring]
    raw_items = definition.get("items")
    if not isinstance(raw_items, list | tuple) or not least <= len(raw_items) <= most:
        count = len(raw_items) if isinstance(raw_items, list | tuple) else 0
        wanted = str(least) if least == most else f"{least}-{most}"
        raise ValueError(f"instrument: scoring rule '{scoring}' needs {wanted} items, got {count}")
    items = tuple(_load_item(raw, i, values) for i, raw in enumerate(raw_items))
    if len({item.key for item in items}) != len(items):
        raise ValueError("instrument: item keys repeat")
    return Instrument(
        key=key,
        name=name,
        version=version,
        items=items,
        scoring=scoring,
        copyright=str(definition.get("copyright", "")),
        instructions=str(definition.get("instructions", "")),
        licensed_text_loaded=bool(definition.get("licensed_text_loaded", True)),
        notes=tuple(str(n) for n in definition.get("notes", ())),
    )
