"""Questionnaires as data: the shipped NPRS and PSFS, and the reader of instrument files (the ODI's licensed
wording, LEFS, any summed measure) that a clinic loads.

Pure module (no Django). An instrument has a code, a title, a version, items with scored answer options, a
scoring rule (intake/scoring.py does the arithmetic) with its direction, range and change threshold, a
copyright notice, and whether its wording is the licensed text or demo wording (placeholder statements whose
scores are never shown as that instrument's score). The file format is YAML, described in
docs/instrument-files.md; `read_definition` reports every problem with the line it is on.
"""

import dataclasses
import json
import re
from dataclasses import dataclass, field

import yaml

from . import scoring


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
class Band:
    up_to: float  # inclusive upper bound
    label: str


@dataclass(frozen=True)
class Rule:
    """How an instrument is scored and how a change is judged (scoring.judge_change)."""

    name: str  # "odi", "sum", "nprs", "psfs"
    higher_is_better: bool
    low: float
    high: float
    threshold: float  # the smallest meaningful change: never below the measurement error
    threshold_source: str
    bands: tuple[Band, ...] = ()


@dataclass(frozen=True)
class Instrument:
    key: str  # the code: "odi", "lefs", "nprs"...
    name: str
    version: str
    items: tuple[Item, ...]
    rule: Rule
    copyright: str = ""
    instructions: str = ""
    demo_wording: bool = False  # placeholder statements: scores are marked "demo wording", never banded
    notes: tuple[str, ...] = field(default_factory=tuple)


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
    rule=Rule("nprs", False, 0, 10, scoring.NPRS_THRESHOLD, scoring.NPRS_THRESHOLD_SOURCE),
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
    rule=Rule("psfs", True, 0, 10, scoring.PSFS_THRESHOLD, scoring.PSFS_THRESHOLD_SOURCE),
    copyright="Stratford et al. 1995; listed as free to use. Commercial terms unconfirmed.",
    notes=("Original scale (0 = unable). PSFS 2.0 reverses the scale: do not mix the two.",),
)

SHIPPED = {i.key: i for i in (NPRS, PSFS)}

# The ODI's ten sections, in the order of the questionnaire: every ODI file uses these item keys, so answers
# and exam entries stay comparable across versions of the wording.
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
ODI_KEYS = tuple(key for key, _topic in ODI_SECTIONS)
ODI_RULE = Rule("odi", False, 0, 100, scoring.ODI_THRESHOLD, scoring.ODI_THRESHOLD_SOURCE,
                tuple(Band(upper, band) for upper, band in scoring.ODI_BANDS))

# Answers and scores from before instrument files existed were given on built-in placeholder statements under
# this version; they are demo wording (intake migration "scores_on_placeholder_odi_are_demo_wording").
LEGACY_PLACEHOLDER_VERSION = "placeholder"


def legacy_placeholder_odi() -> Instrument:
    """The ODI placeholder the intake used before instrument files, to describe answers given on it."""
    return Instrument(
        key="odi", name="Oswestry Disability Index (placeholder wording)", version=LEGACY_PLACEHOLDER_VERSION,
        items=tuple(
            Item(key, f"Section {n}: {topic} (placeholder)",
                 tuple(Option(v, f"Placeholder statement {v}") for v in range(6)))
            for n, (key, topic) in enumerate(ODI_SECTIONS, start=1)
        ),
        rule=ODI_RULE, demo_wording=True,
    )


def is_demo_version(code: str, version: str, demo_wording: bool | None = None) -> bool:
    """Whether answers on `version` are demo wording; a stored flag wins, the legacy placeholder always is."""
    if version == LEGACY_PLACEHOLDER_VERSION and code == "odi":
        return True
    return bool(demo_wording)


# --- Stored form (the definition JSON of intake.models.Instrument) -------------------------------------------


def to_stored(instrument: Instrument) -> dict:
    """The definition as JSON data (lists, not tuples), as the database gives it back."""
    return json.loads(json.dumps(dataclasses.asdict(instrument)))


def from_stored(data: dict) -> Instrument:
    """Rebuild an Instrument from `to_stored` output (already validated when it was loaded)."""
    rule = dict(data["rule"])
    rule["bands"] = tuple(Band(**b) for b in rule.get("bands", ()))
    items = tuple(
        Item(i["key"], i["text"], tuple(Option(**o) for o in i["options"]), i.get("patient_named", False))
        for i in data["items"]
    )
    return Instrument(
        key=data["key"], name=data["name"], version=data["version"], items=items, rule=Rule(**rule),
        copyright=data.get("copyright", ""), instructions=data.get("instructions", ""),
        demo_wording=data.get("demo_wording", False), notes=tuple(data.get("notes", ())),
    )


# --- Reading a definition file -------------------------------------------------------------------------------

MAX_FILE_BYTES = 256 * 1024
MAX_ITEMS, MAX_OPTIONS, MAX_TEXT = 100, 20, 2000
CODE = re.compile(r"^[a-z][a-z0-9]{1,19}$")
ITEM_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
TOP_FIELDS = ("code", "title", "version", "wording", "copyright", "instructions", "notes", "scoring", "items")
SCORING_FIELDS = {"odi": ("rule",),
                  "sum": ("rule", "direction", "range", "change_threshold", "threshold_source", "bands")}
WORDINGS = {"licensed": False, "demo": True}
DIRECTIONS = {"higher_is_better": True, "lower_is_better": False}
MEASUREMENT_ERROR = {"lefs": scoring.LEFS_THRESHOLD}


@dataclass(frozen=True)
class Problem:
    line: int | None
    message: str

    def __str__(self):
        return f"Line {self.line}: {self.message}" if self.line else self.message


class DefinitionError(ValueError):
    """The file is not a valid instrument definition; `problems` lists each with its line."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


def _line(node) -> int:
    return node.start_mark.line + 1


class _Reader:
    """Walks the YAML node tree (which keeps line numbers), collecting problems instead of stopping at one."""

    def __init__(self, loader):
        self.loader = loader
        self.problems: list[Problem] = []
        self.seen: set[int] = set()
        self.flawed: set[int] = set()  # items whose options already have a problem: one report per mistake

    def problem(self, node, message):
        self.problems.append(Problem(_line(node) if node is not None else None, message))

    def _visit(self, node) -> bool:
        if id(node) in self.seen:  # an alias (*name) reuses a node: a small file could expand enormously
            self.problem(node, "anchors and aliases (& and *) are not allowed: write each value out.")
            return False
        self.seen.add(id(node))
        return True

    def mapping(self, node, where, allowed) -> dict:
        """{field: (key node, value node)} of a mapping; unknown or repeated fields are problems."""
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"{where} must be a set of 'name: value' lines.")
            return {}
        if not self._visit(node):
            return {}
        found = {}
        for key_node, value_node in node.value:
            name = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if name in found:
                self.problem(key_node, f"'{name}' appears twice in {where}; keep one.")
            elif name not in allowed:
                self.problem(key_node, f"unknown field '{name}' in {where}. Known fields: {', '.join(allowed)}.")
            else:
                found[name] = (key_node, value_node)
        return found

    def sequence(self, node, where) -> list:
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, f"{where} must be a list (lines starting with '- ').")
            return []
        return node.value if self._visit(node) else []

    def scalar(self, node):
        if not isinstance(node, yaml.ScalarNode) or not self._visit(node):
            return _NOT_SCALAR
        try:
            return self.loader.construct_object(node)
        except yaml.YAMLError:
            return node.value

    def text(self, fields, name, where, parent, *, required=True, limit=MAX_TEXT) -> str:
        if name not in fields:
            if required:
                self.problem(parent, f"{where} is missing '{name}'.")
            return ""
        node = fields[name][1]
        value = self.scalar(node)
        if not isinstance(value, str):
            shown = "a list or a set of fields" if value is _NOT_SCALAR else f"{value!r}"
            self.problem(node, f"'{name}' must be text, not {shown}: put it in quotes, for example "
                               f'{name}: "{node.value if isinstance(node, yaml.ScalarNode) else "..."}".')
            return ""
        value = " ".join(value.split())
        if required and not value:
            self.problem(node, f"'{name}' is empty.")
        if len(value) > limit:
            self.problem(node, f"'{name}' is longer than {limit} characters.")
        return value

    def number(self, node, name, *, whole=False):
        value = self.scalar(node)
        ok = isinstance(value, int) if whole else isinstance(value, int | float)
        if not ok or isinstance(value, bool):
            kind = "a whole number" if whole else "a number"
            self.problem(node, f"'{name}' must be {kind}, not {node.value if isinstance(node, yaml.ScalarNode) else 'a list'!r}.")
            return None
        return value

    def choice(self, fields, name, where, parent, choices: dict):
        if name not in fields:
            self.problem(parent, f"{where} is missing '{name}' ({' or '.join(choices)}).")
            return None
        node = fields[name][1]
        value = self.scalar(node)
        if value not in choices:
            self.problem(node, f"'{name}' must be {' or '.join(choices)}, not {node.value if isinstance(node, yaml.ScalarNode) else 'a list'!r}.")
            return None
        return choices[value]


_NOT_SCALAR = object()


def _compose(text):
    if isinstance(text, bytes):
        if len(text) > MAX_FILE_BYTES:
            raise DefinitionError([Problem(None, f"The file is larger than {MAX_FILE_BYTES // 1024} KB.")])
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = text[: exc.start].count(b"\n") + 1
            raise DefinitionError([Problem(line, "the file is not UTF-8 text; save it as UTF-8.")]) from None
    if len(text.encode()) > MAX_FILE_BYTES:
        raise DefinitionError([Problem(None, f"The file is larger than {MAX_FILE_BYTES // 1024} KB.")])
    try:  # an alias (*name) reuses a value: a small file could expand enormously, so none are allowed
        alias = next((e for e in yaml.parse(text, Loader=yaml.SafeLoader) if isinstance(e, yaml.AliasEvent)), None)
    except yaml.YAMLError:
        alias = None  # composing below reports the syntax error with its line
    if alias is not None:
        raise DefinitionError([Problem(alias.start_mark.line + 1,
                                       "anchors and aliases (& and *) are not allowed: write each value out.")])
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise DefinitionError([Problem(mark.line + 1 if mark else None,
                                       f"not valid YAML: {exc.problem or exc.context}.")]) from None
    except yaml.YAMLError as exc:
        raise DefinitionError([Problem(None, f"not valid YAML: {exc}.")]) from None
    if node is None:
        loader.dispose()
        raise DefinitionError([Problem(1, "the file is empty.")])
    return loader, node


def read_definition(text: str | bytes) -> Instrument:
    """Read an instrument file (YAML, docs/instrument-files.md); raise DefinitionError listing every problem."""
    loader, root = _compose(text)
    try:
        reader = _Reader(loader)
        instrument = _instrument(reader, root)
    finally:
        loader.dispose()
    if reader.problems:
        raise DefinitionError(sorted(reader.problems, key=lambda p: (p.line or 0)))
    return instrument


def _instrument(reader: _Reader, root):
    top = reader.mapping(root, "the file", TOP_FIELDS)
    if not top and reader.problems:
        return None
    code = reader.text(top, "code", "the file", root, limit=20)
    if code and not CODE.match(code):
        reader.problem(top["code"][1], f"'code' must be 2-20 lower-case letters or digits, starting with a letter "
                                       f"(like odi or lefs), not {code!r}.")
    elif code in SHIPPED:
        reader.problem(top["code"][1], f"{code} is built into the app with its own wording; use another code.")
    title = reader.text(top, "title", "the file", root, limit=200)
    version = reader.text(top, "version", "the file", root, limit=40)
    demo = reader.choice(top, "wording", "the file", root, WORDINGS)
    notice = reader.text(top, "copyright", "the file", root)
    instructions = reader.text(top, "instructions", "the file", root, required=False)
    notes = []
    if "notes" in top:
        for node in reader.sequence(top["notes"][1], "'notes'"):
            value = reader.scalar(node)
            if isinstance(value, str):
                notes.append(value)
            else:
                reader.problem(node, "each note must be text.")
    rule_key, rule_node = top.get("scoring", (None, None))
    if rule_node is None:
        reader.problem(root, "the file is missing 'scoring' (rule: odi, or rule: sum with its direction, range "
                             "and change threshold).")
    items_key, items_node = top.get("items", (None, None))
    items = _items(reader, items_node, root)
    rule = _rule(reader, rule_node, rule_key, items, code) if rule_node is not None else None
    if rule is not None and rule.name == "odi":
        _check_odi(reader, items, items_key)
    if code == "odi" and rule is not None and rule.name != "odi":
        reader.problem(rule_key, "the ODI (code odi) is scored by 'rule: odi'.")
    if reader.problems:
        return None
    return Instrument(key=code, name=title, version=version, items=tuple(i for i, _n in items), rule=rule,
                      copyright=notice, instructions=instructions, demo_wording=demo, notes=tuple(notes))


def _items(reader, node, root) -> list[tuple[Item, object]]:
    if node is None:
        reader.problem(root, "the file is missing 'items': the questions, each with its answer options.")
        return []
    raw = reader.sequence(node, "'items'")
    if isinstance(node, yaml.SequenceNode) and not raw:
        reader.problem(node, "'items' is empty.")
    if len(raw) > MAX_ITEMS:
        reader.problem(node, f"at most {MAX_ITEMS} items.")
        raw = raw[:MAX_ITEMS]
    items, keys = [], {}
    for n, item_node in enumerate(raw, start=1):
        where = f"item {n}"
        fields = reader.mapping(item_node, where, ("key", "text", "options"))
        if not fields:
            continue
        key = reader.text(fields, "key", where, item_node, limit=40)
        if key and not ITEM_KEY.match(key):
            reader.problem(fields["key"][1], f"{where}: 'key' must be lower-case letters, digits or _, starting "
                                             f"with a letter (like pain_intensity), not {key!r}.")
        elif key in keys:
            reader.problem(fields["key"][1], f"{where}: key '{key}' is already used by item {keys[key]}.")
        keys.setdefault(key, n)
        text = reader.text(fields, "text", where, item_node)
        before = len(reader.problems)
        options = _options(reader, fields, f"{where} ({key})" if key else where, item_node)
        if len(reader.problems) > before:
            reader.flawed.add(id(item_node))
        items.append((Item(key, text, options), item_node))
    return items


def _options(reader, fields, where, item_node) -> tuple[Option, ...]:
    if "options" not in fields:
        reader.problem(item_node, f"{where} is missing 'options'.")
        return ()
    node = fields["options"][1]
    raw = reader.sequence(node, f"the options of {where}")
    if isinstance(node, yaml.SequenceNode) and len(raw) < 2:
        reader.problem(node, f"{where} needs at least 2 answer options.")
    if len(raw) > MAX_OPTIONS:
        reader.problem(node, f"{where}: at most {MAX_OPTIONS} answer options.")
    options, values = [], {}
    for option_node in raw[:MAX_OPTIONS]:
        option = reader.mapping(option_node, f"an option of {where}", ("value", "text"))
        if not option:
            continue
        if "value" not in option:
            reader.problem(option_node, f"an option of {where} is missing 'value' (the points it scores).")
            continue
        value = reader.number(option["value"][1], "value", whole=True)
        text = reader.text(option, "text", f"an option of {where}", option_node)
        if value is None:
            continue
        if value in values:
            reader.problem(option["value"][1], f"{where}: value {value} is used twice (line {values[value]}).")
            continue
        values[value] = _line(option["value"][1])
        options.append(Option(value, text))
    return tuple(options)


def _rule(reader, node, key, items, code) -> Rule | None:
    """The scoring rule; a field it lacks is reported on the 'scoring:' line (`key`)."""
    head = reader.mapping(node, "'scoring'", ("rule", *SCORING_FIELDS["sum"]))
    if not head and reader.problems:
        return None
    name = reader.choice(head, "rule", "'scoring'", key, {"odi": "odi", "sum": "sum"})
    if name is None:
        return None
    extra = [f for f in head if f not in SCORING_FIELDS[name]]
    if name == "odi":
        for f in extra:
            reader.problem(head[f][0], f"the ODI rule is fixed by the clinic's product decisions (index 0-100, "
                                       f"lower is better, change threshold {scoring.ODI_THRESHOLD} points): "
                                       f"remove '{f}'.")
        return ODI_RULE
    higher = reader.choice(head, "direction", "'scoring'", key, DIRECTIONS)
    low = high = None
    if "range" not in head:
        reader.problem(key, "'scoring' is missing 'range': the lowest and highest score, like range: [0, 80].")
    else:
        bounds = reader.sequence(head["range"][1], "'range'")
        numbers = [reader.number(b, "range") for b in bounds]
        if len(bounds) != 2:
            reader.problem(head["range"][1], "'range' must be two numbers, the lowest and highest score: [0, 80].")
        elif None not in numbers:
            low, high = numbers
    threshold = None
    if "change_threshold" not in head:
        reader.problem(key, "'scoring' is missing 'change_threshold': the smallest change that counts as "
                             "meaningful, never below the measure's measurement error (for LEFS, 9).")
    else:
        threshold = reader.number(head["change_threshold"][1], "change_threshold")
    source = reader.text(head, "threshold_source", "'scoring'", key)
    scored = [i for i, _n in items if i.options]
    if low is not None and scored and len(scored) == len(items):
        least = sum(min(o.value for o in i.options) for i in scored)
        most = sum(max(o.value for o in i.options) for i in scored)
        if (low, high) != (least, most):
            reader.problem(head["range"][1], f"'range' is [{_n(low)}, {_n(high)}] but the items' answer values add "
                                             f"up to {least}-{most}: fix the range or the values.")
    # The product decisions set the measurement error of the measures they name; a file cannot go below it.
    floor = MEASUREMENT_ERROR.get(code)
    if threshold is not None and floor is not None and threshold < floor:
        reader.problem(head["change_threshold"][1], f"'change_threshold' for {code} must be at least {_n(floor)}, its "
                                                    f"measurement error (a smaller change is not meaningful).")
    if threshold is not None and low is not None and not 0 < threshold < high - low:
        reader.problem(head["change_threshold"][1], f"'change_threshold' must be above 0 and below the width of "
                                                    f"the range ({_n(high - low)}).")
    bands = _bands(reader, head, low, high) if "bands" in head else ()
    if None in (higher, low, threshold):
        return None
    return Rule("sum", higher, low, high, threshold, source, bands)


def _bands(reader, head, low, high) -> tuple[Band, ...]:
    node = head["bands"][1]
    bands, previous = [], None
    for band_node in reader.sequence(node, "'bands'"):
        fields = reader.mapping(band_node, "a band", ("up_to", "label"))
        if "up_to" not in fields:
            reader.problem(band_node, "a band is missing 'up_to' (its highest score).")
            continue
        up_to = reader.number(fields["up_to"][1], "up_to")
        label = reader.text(fields, "label", "a band", band_node, limit=60)
        if up_to is None:
            continue
        if previous is not None and up_to <= previous:
            reader.problem(fields["up_to"][1], "bands must go up: each 'up_to' above the one before.")
        previous = up_to
        bands.append(Band(up_to, label))
    if bands and high is not None and bands[-1].up_to != high:
        reader.problem(node, f"the last band must go up to the top of the range ({_n(high)}).")
    if bands and low is not None and bands[0].up_to < low:
        reader.problem(node, "the first band ends below the bottom of the range.")
    return tuple(bands)


def _check_odi(reader, items, items_key):
    keys = [i.key for i, _n in items]
    if items and set(keys) != set(ODI_KEYS):
        missing = [k for k in ODI_KEYS if k not in keys]
        unknown = [k for k in keys if k and k not in ODI_KEYS]
        said = []
        if missing:
            said.append(f"missing {', '.join(missing)}")
        if unknown:
            said.append(f"not ODI sections: {', '.join(unknown)}")
        reader.problem(items_key, f"the ODI has 10 sections with the keys {', '.join(ODI_KEYS)} ({'; '.join(said)}).")
    for item, node in items:
        values = sorted(o.value for o in item.options)
        if item.options and values != list(range(6)) and id(node) not in reader.flawed:
            reader.problem(node, f"ODI section '{item.key}' needs 6 statements scored 0 to 5, one each "
                                 f"(it has values {', '.join(map(str, values))}).")


def _n(value):
    return f"{value:g}"
