"""Sections that apps above scheduling add to a visit's panel (the notifications app: the visit's messages).

Scheduling imports none of them: each registers a `Section` with its template, who may see it and the call
of its own selector, and the panel includes the ones its viewer may see (a hidden one runs no query).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    name: str
    order: int
    template: str  # drawn with the panel's context plus `section`: what `load` returned
    load: Callable  # (request, appointment) -> dict
    visible: Callable  # (user) -> bool


@dataclass(frozen=True)
class Drawn:
    template: str
    data: dict


_sections: dict[str, Section] = {}


def register(section: Section):
    _sections[section.name] = section


def compose(request, appointment) -> list[Drawn]:
    return [Drawn(s.template, s.load(request, appointment))
            for s in sorted(_sections.values(), key=lambda s: s.order) if s.visible(request.user)]
