"""Load ``pages.yml``: what every report page shows, for both front ends.

The Power BI report writer (``salespulse.powerbi.report_pages``) and the web dashboard
(``salespulse.web.ui.visuals``, ``salespulse.web.query.pages``) render their pages from these specs, so a
visual's title, measures and category fields are said once. Each front end's own rendering (a PBIR
visual type, a Plotly chart kind, a click) sits in the visual's ``powerbi`` / ``web`` block; where a
front end deliberately shows something else, its block says what and why, and
``test_page_spec`` holds the two renderings to exactly that.

The spec is YAML beside ``model.yml`` and ``measures.yml`` rather than a Python module because it
is the semantic layer's, not either front end's: it names only model fields and measures (checked
here against both files when it is loaded) and neither front end's code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from salespulse.semantic.measures import load_measures
from salespulse.semantic.model import load_model

PAGES_FILE = Path(__file__).with_name("pages.yml")
POWERBI, WEB = "powerbi", "web"
FRONT_ENDS = (POWERBI, WEB)
KINDS = ("cards", "bar", "column", "combo", "line", "donut", "table", "matrix", "band", "note", "map")
DIRECTIONS = {"asc": "Ascending", "desc": "Descending"}
#: What a front end's block may say instead of the visual's own: each needs a ``why``.
OVERRIDES = ("title", "measures", "category")

_FIELD = re.compile(r"^(?P<table>[^\[\].]+)(?:\.(?P<hierarchy>[^\[\]]+))?\[(?P<name>[^\]]+)\]$")
_DRILL = re.compile(r"^(?P<table>[^\[\].]+)\.(?P<hierarchy>[^\[\]]+)\[(?P<levels>[^\]]+)\]$")


class PageSpecError(ValueError):
    """``pages.yml`` says something the model or the measures do not have."""


@dataclass(frozen=True)
class Field:
    """A model column (``Customer[Client]``), a hierarchy level (``Date.Calendar[Year]``) or a
    measure (``Sales``); ``label``: Power BI's column header (``... as Quota``)."""

    name: str
    table: str | None = None  # None: a measure
    hierarchy: str | None = None
    label: str | None = None

    @property
    def kind(self) -> str:
        if self.table is None:
            return "measure"
        return "level" if self.hierarchy else "column"

    @property
    def is_measure(self) -> bool:
        return self.table is None


def parse_field(text: str) -> Field:
    """``Table[Column]``, ``Table.Hierarchy[Level]`` or a measure name, each optionally ``as Label``."""
    body, _, label = str(text).partition(" as ")
    body = body.strip()
    match = _FIELD.match(body)
    if match is None:
        return Field(body, label=label.strip() or None)
    return Field(match["name"], match["table"], match["hierarchy"], label.strip() or None)


def parse_drill(text: str) -> tuple[Field, ...]:
    """``Table.Hierarchy[Level, Level, ...]``: the hierarchy's levels, top first."""
    match = _DRILL.match(str(text).strip())
    if match is None:
        raise PageSpecError(f"drill {text!r}: expected Table.Hierarchy[Level, ...]")
    names = tuple(level.strip() for level in match["levels"].split(","))
    return tuple(Field(name, match["table"], match["hierarchy"]) for name in names)


@dataclass(frozen=True)
class Band:
    """A forecast band: the line it surrounds and the inner / outer intervals' [lower, upper]."""

    line: str
    inner: tuple[str, str]
    outer: tuple[str, str]


@dataclass(frozen=True)
class Rendering:
    """One front end's block of a visual: its own options, and what it shows instead (with why)."""

    options: Mapping[str, Any]
    title: str | None = None
    measures: tuple[str, ...] | None = None
    category: tuple[Field, ...] | None = None
    why: str | None = None

    def get(self, key: str, default: Any = None) -> Any:
        return self.options.get(key, default)

    @property
    def note(self) -> str:
        """Words after the title: how to read or use the visual on this front end."""
        return str(self.options.get("note", ""))


@dataclass(frozen=True)
class Shown:
    """What one front end shows of a visual: the comparison ``test_page_spec`` makes."""

    title: str
    measures: frozenset[str]
    category: frozenset[str]


@dataclass(frozen=True)
class VisualSpec:
    """One visual of a page: what it shows (said once), and each front end's rendering of it."""

    id: str
    title: str
    kind: str
    measures: tuple[Field, ...] = ()
    category: tuple[Field, ...] = ()
    series: Field | None = None
    drill: tuple[Field, ...] = ()
    columns: tuple[Field, ...] = ()
    band: Band | None = None
    sort: tuple[Field, str] | None = None  # (field or measure, "Ascending" | "Descending")
    top: int | None = None
    where: tuple[tuple[Field, tuple[bool | int | str, ...]], ...] = ()
    tooltip: str | None = None
    only_on: str | None = None
    why: str | None = None
    powerbi: Rendering = Rendering({})
    web: Rendering = Rendering({})

    def on(self, front_end: str) -> bool:
        return self.only_on in (None, front_end)

    def rendering(self, front_end: str) -> Rendering:
        return self.powerbi if front_end == POWERBI else self.web

    @property
    def measure_names(self) -> tuple[str, ...]:
        """The measures it shows: ``measures``, else the measures among a table's ``columns``."""
        fields = self.measures or tuple(f for f in self.columns if f.is_measure)
        return tuple(f.name for f in fields)

    def title_on(self, front_end: str) -> str:
        rendering = self.rendering(front_end)
        return rendering.title or self.title + rendering.note

    def measures_on(self, front_end: str) -> tuple[str, ...]:
        """The measures ``front_end`` shows, in order (a band: the line's, then its bounds)."""
        rendering = self.rendering(front_end)
        if rendering.measures is not None:
            return rendering.measures
        bounds = (*self.band.inner, *self.band.outer) if self.band else ()
        return (*self.measure_names, *bounds)

    def category_on(self, front_end: str) -> frozenset[str]:
        """The names of the fields ``front_end`` draws the visual by: its category (a table: its
        columns that are not measures), a drill by its top level, and the field that splits it."""
        rendering = self.rendering(front_end)
        if rendering.category is not None:
            fields, drill = rendering.category, ()
        else:
            fields, drill = (
                self.category or tuple(f for f in self.columns if not f.is_measure),
                self.drill[:1],
            )
        names = {f.name for f in (*fields, *drill)}
        if self.series is not None:
            names.add(self.series.name)
        return frozenset(names)

    def shown(self, front_end: str) -> Shown:
        """Title, measures and category fields as ``front_end`` shows them."""
        return Shown(
            self.title_on(front_end), frozenset(self.measures_on(front_end)), self.category_on(front_end)
        )


@dataclass(frozen=True)
class PageSpec:
    """One report page: its names on each front end and its visuals, in the web's order."""

    slug: str  # the web's URL path
    name: str  # the PBIR page's folder
    title: str
    visuals: tuple[VisualSpec, ...]
    drillthrough: Field | None = None
    tooltip: bool = False
    only_on: str | None = None
    why: str | None = None

    def on(self, front_end: str) -> bool:
        return self.only_on in (None, front_end)

    def visuals_on(self, front_end: str) -> tuple[VisualSpec, ...]:
        return tuple(v for v in self.visuals if v.on(front_end))

    def visual(self, visual_id: str) -> VisualSpec:
        for visual in self.visuals:
            if visual.id == visual_id:
                return visual
        raise KeyError(f"page {self.name!r} has no visual {visual_id!r}")


@dataclass(frozen=True)
class PagesSpec:
    pages: tuple[PageSpec, ...]
    web_measures: tuple[str, ...] = ()  # numbers the web computes itself (not model measures)

    def on(self, front_end: str) -> tuple[PageSpec, ...]:
        return tuple(page for page in self.pages if page.on(front_end))

    def by_slug(self, slug: str) -> PageSpec:
        return next(page for page in self.pages if page.slug == slug)

    def by_name(self, name: str) -> PageSpec:
        return next(page for page in self.pages if page.name == name)


def _names(values: Any) -> tuple[str, ...]:
    return tuple(str(value) for value in values or ())


def _pair(values: Any) -> tuple[str, str]:
    lower, upper = values
    return str(lower), str(upper)


def _rendering(raw: Mapping[str, Any] | None, where: str) -> Rendering:
    raw = dict(raw or {})
    overrides = {key: raw.pop(key) for key in OVERRIDES if key in raw}
    why = raw.pop("why", None)
    if overrides and not why:
        raise PageSpecError(f"{where}: {', '.join(overrides)} differ from the visual's without a why")
    category = overrides.get("category")
    return Rendering(
        raw,
        title=overrides.get("title"),
        measures=_names(overrides["measures"]) if "measures" in overrides else None,
        category=tuple(parse_field(text) for text in category) if category is not None else None,
        why=why,
    )


def _visual(raw: Mapping[str, Any], page: str) -> VisualSpec:
    where = f"page {page}, visual {raw.get('id')}"
    kind = str(raw.get("kind"))
    if kind not in KINDS:
        raise PageSpecError(f"{where}: kind {kind!r} is not one of {KINDS}")
    only_on = raw.get("only_on")
    if only_on is not None and (only_on not in FRONT_ENDS or not raw.get("why")):
        raise PageSpecError(f"{where}: only_on must be one of {FRONT_ENDS}, with a why")
    sort = None
    if raw.get("sort"):
        text, _, direction = str(raw["sort"]).rpartition(" ")
        if direction not in DIRECTIONS:
            raise PageSpecError(f"{where}: sort {raw['sort']!r} does not end in asc or desc")
        sort = (parse_field(text), DIRECTIONS[direction])
    band = raw.get("band")
    return VisualSpec(
        id=str(raw["id"]),
        title=str(raw["title"]),
        kind=kind,
        measures=tuple(parse_field(text) for text in raw.get("measures") or ()),
        category=tuple(parse_field(text) for text in raw.get("category") or ()),
        series=parse_field(raw["series"]) if raw.get("series") else None,
        drill=parse_drill(raw["drill"]) if raw.get("drill") else (),
        columns=tuple(parse_field(text) for text in raw.get("columns") or ()),
        band=Band(str(band["line"]), _pair(band["inner"]), _pair(band["outer"])) if band else None,
        sort=sort,
        top=int(raw["top"]) if raw.get("top") else None,
        where=tuple((parse_field(text), tuple(values)) for text, values in (raw.get("where") or {}).items()),
        tooltip=raw.get("tooltip"),
        only_on=only_on,
        why=raw.get("why"),
        powerbi=_rendering(raw.get(POWERBI), f"{where}, powerbi"),
        web=_rendering(raw.get(WEB), f"{where}, web"),
    )


def _check(spec: PagesSpec) -> None:
    """Every field is a model column or hierarchy level, every measure is in ``measures.yml`` (or
    one of the web's own numbers, in the web's block), names are unique and tooltips exist."""
    model = load_model()
    measures = {measure.name for measure in load_measures()}
    tooltips = {page.name for page in spec.pages if page.tooltip}

    def check_field(field: Field, where: str, extra: frozenset[str] = frozenset()) -> None:
        if field.is_measure:
            if field.name not in measures | extra:
                raise PageSpecError(f"{where}: {field.name!r} is not a measure of measures.yml")
            return
        assert field.table is not None
        try:
            table = model.table(field.table)
        except KeyError as error:
            raise PageSpecError(f"{where}: {error}") from error
        if field.hierarchy:
            hierarchy = next((h for h in table.hierarchies if h.name == field.hierarchy), None)
            if hierarchy is None or field.name not in hierarchy.levels:
                raise PageSpecError(f"{where}: {field.table}.{field.hierarchy} has no level {field.name!r}")
            return
        try:
            table.column(field.name)
        except KeyError as error:
            raise PageSpecError(f"{where}: {error}") from error

    for kind, values in (("slug", [p.slug for p in spec.pages]), ("name", [p.name for p in spec.pages])):
        if len(set(values)) != len(values):
            raise PageSpecError(f"two pages share a {kind}: {values}")
    for page in spec.pages:
        ids = [visual.id for visual in page.visuals]
        if len(set(ids)) != len(ids):
            raise PageSpecError(f"page {page.name}: two visuals share an id: {ids}")
        if page.drillthrough is not None:
            check_field(page.drillthrough, f"page {page.name}, drillthrough")
        for visual in page.visuals:
            where = f"page {page.name}, visual {visual.id}"
            fields = [*visual.measures, *visual.category, *visual.drill, *visual.columns]
            fields += [f for f in (visual.series, visual.sort[0] if visual.sort else None) if f]
            fields += [f for f, _ in visual.where]
            fields += [*(visual.powerbi.category or ())]
            for field in fields:
                check_field(field, where)
            for name in visual.powerbi.measures or ():
                check_field(Field(name), f"{where}, powerbi")
            for field in visual.web.category or ():
                check_field(field, f"{where}, web")
            for name in visual.web.measures or ():
                check_field(Field(name), f"{where}, web", frozenset(spec.web_measures))
            if visual.band is not None:
                for name in (visual.band.line, *visual.band.inner, *visual.band.outer):
                    check_field(Field(name), where)
            if visual.tooltip is not None and visual.tooltip not in tooltips:
                raise PageSpecError(f"{where}: no tooltip page {visual.tooltip!r}")


@cache
def load_pages(path: Path = PAGES_FILE) -> PagesSpec:
    """The pages of ``pages.yml``, checked against the model and the measures."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    pages = []
    for page in raw["pages"]:
        only_on = page.get("only_on")
        if only_on is not None and (only_on not in FRONT_ENDS or not page.get("why")):
            raise PageSpecError(f"page {page['name']}: only_on must be one of {FRONT_ENDS}, with a why")
        pages.append(
            PageSpec(
                slug=str(page["slug"]),
                name=str(page["name"]),
                title=str(page["title"]),
                visuals=tuple(_visual(visual, page["name"]) for visual in page["visuals"]),
                drillthrough=parse_field(page["drillthrough"]) if page.get("drillthrough") else None,
                tooltip=bool(page.get("tooltip", False)),
                only_on=only_on,
                why=page.get("why"),
            )
        )
    spec = PagesSpec(tuple(pages), _names(raw.get("web_measures")))
    _check(spec)
    return spec
