"""Visual containers (``visual.json``) as Power BI Desktop writes them: charts, cards, slicers, text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from salespulse.powerbi.pbir import SCHEMAS, Json, Ref, comparison_filter, in_filter, prop, top_n_filter

SORT_DIRECTIONS = ("Ascending", "Descending")


def slug(text: str) -> str:
    """``Attainment %`` -> ``attainment_pct``: names for visuals, filters and bookmarks."""
    text = text.lower().replace("%", " pct ")
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


@dataclass(frozen=True)
class Position:
    """Where a visual sits on its page, in pixels (PBIR's ``position`` without z and tab order)."""

    x: float
    y: float
    width: float
    height: float

    def overlaps(self, other: Position) -> bool:
        return (
            self.x < other.x + other.width
            and other.x < self.x + self.width
            and self.y < other.y + other.height
            and other.y < self.y + self.height
        )


@dataclass
class Visual:
    """One visual of a page, before the page layout gives it a position."""

    name: str  # unique on its page; also the folder name
    title: str
    config: Json  # the container's "visual" object
    filters: list[Json] = field(default_factory=list)

    def mobile(self, position: Position, order: int) -> Json:
        """The visual's place on the page's mobile layout (``mobile.json`` beside ``visual.json``)."""
        return {"$schema": SCHEMAS["mobile"], "position": _placed(position, order)}

    def container(self, position: Position, order: int) -> Json:
        document: Json = {
            "$schema": SCHEMAS["visual"],
            "name": self.name,
            "position": _placed(position, order),
            "visual": self.config,
        }
        if self.filters:
            document["filterConfig"] = {"filters": self.filters}
        return document


def _placed(position: Position, order: int) -> Json:
    """A visual's position in PBIR (``visual.json`` and ``mobile.json``): the n-th visual stacked
    and tabbed n-th."""
    return {
        "x": position.x,
        "y": position.y,
        "z": order * 1000,
        "height": position.height,
        "width": position.width,
        "tabOrder": order * 1000,
    }


def _title(text: str, show: bool = True) -> Json:
    """The container's title, and the same words as alt text for screen readers (Format > General >
    Alt text): every data visual says what it shows."""
    return {
        "title": [{"properties": {"show": prop(show), "text": prop(text)}}],
        "general": [{"properties": {"altText": prop(text)}}],
    }


def report_page_tooltip(page: str) -> Json:
    """``visualTooltip`` of a visual whose tooltip is the report page ``page`` (Format > General >
    Tooltips > Type: Report page)."""
    return {
        "visualTooltip": [{"properties": {"show": prop(True), "type": prop("Canvas"), "section": prop(page)}}]
    }


def _projection(ref: Ref, active: bool | None) -> Json:
    projection: Json = {"field": ref.expr(), "queryRef": ref.query_ref, "nativeQueryRef": ref.native_ref}
    if ref.display:
        projection["displayName"] = ref.display
    if active is not None:
        projection["active"] = active
    return projection


def _role(refs: tuple[Ref, ...]) -> Json:
    projections = []
    first_level = True
    for ref in refs:
        if ref.kind == "level":
            projections.append(_projection(ref, first_level))  # drilled to the top level
            first_level = False
        elif ref.kind == "column" and ref.aggregate is None:
            projections.append(_projection(ref, True))
        else:
            projections.append(_projection(ref, None))
    return {"projections": projections}


def _visual(
    visual_type: str,
    roles: dict[str, tuple[Ref, ...]] | None = None,
    *,
    sort: tuple[tuple[Ref, str], ...] = (),
    objects: Json | None = None,
    container_objects: Json | None = None,
) -> Json:
    config: Json = {"visualType": visual_type}
    if roles:
        query: Json = {"queryState": {role: _role(refs) for role, refs in roles.items()}}
        if sort:
            if any(direction not in SORT_DIRECTIONS for _, direction in sort):
                raise ValueError(f"sort directions are {SORT_DIRECTIONS}, not {sort}")
            query["sortDefinition"] = {
                "sort": [{"field": ref.expr(), "direction": direction} for ref, direction in sort]
            }
        config["query"] = query
    if objects:
        config["objects"] = objects
    if container_objects:
        config["visualContainerObjects"] = container_objects
    return config


def error_band(series: Ref, lower: Ref, upper: Ref, *, transparency: int = 75) -> Json:
    """``objects.error`` of a line chart drawing ``series`` with a filled band from ``lower`` to
    ``upper`` (Analytics pane > Error bars, Error band style "Fill"), not two extra lines.

    Desktop writes two entries per series: the bounds, bound to every data point of the series
    (``dataViewWildcard``), and the look, bound to the series alone. The look's properties are the
    ``error`` object of Microsoft's report theme schema for ``lineChart``; the bounds' shape
    (``errorRange`` of kind ``ErrorRange`` with ``explicit`` absolute bounds) is Desktop's."""
    bounds = {
        "kind": "ErrorRange",
        "explicit": {
            "isRelative": prop(False),
            "upperBound": {"expr": upper.expr()},
            "lowerBound": {"expr": lower.expr()},
        },
    }
    look = {
        "enabled": prop(True),
        "barShow": prop(False),
        "markerShow": prop(False),
        "labelShow": prop(False),
        "shadeShow": prop(True),
        "shadeBandStyle": prop("fill"),
        "shadeMatchSeriesColor": prop(True),
        "shadeTransparency": prop(transparency),
        "tooltipShow": prop(True),
        "tooltipFormat": prop("range"),
    }
    return {
        "error": [
            {
                "properties": {"errorRange": bounds},
                "selector": {
                    "data": [{"dataViewWildcard": {"matchingOption": 0}}],
                    "metadata": series.query_ref,
                    "highlightMatching": 1,
                },
            },
            {"properties": look, "selector": {"metadata": series.query_ref}},
        ]
    }


def chart(
    name: str,
    title: str,
    visual_type: str,
    roles: dict[str, tuple[Ref, ...]],
    *,
    sort: tuple[tuple[Ref, str], ...] = (),
    filters: tuple[Json, ...] = (),
    objects: Json | None = None,
    tooltip_page: str | None = None,
) -> Visual:
    """Any data visual: ``lineChart``, ``clusteredBarChart``, ``tableEx``, ``pivotTable``...

    With ``tooltip_page``, hovering a data point shows that report page as its tooltip."""
    container = _title(title)
    if tooltip_page is not None:
        container |= report_page_tooltip(tooltip_page)
    config = _visual(visual_type, roles, sort=sort, objects=objects, container_objects=container)
    config["drillFilterOtherVisuals"] = True
    return Visual(name, title, config, list(filters))


def card(name: str, measure: Ref, period: Ref, compare: Ref | None = None) -> Visual:
    """A KPI card (the new card visual, ``cardVisual``): the measure's name as its title, and as its
    subtitle the text measure ``period`` naming the period the number covers in the current filter
    context (``Jan 2023 - Dec 2025``). With ``compare``, the card shows that measure beneath the
    number as its reference label (the ``ReferenceLabels`` role): sales against last year, the
    projection against the budget.

    The subtitle is bound to the measure the way Desktop saves Format > Title > Subtitle text > fx
    > Field value: the property's ``expr`` is the ``Measure`` itself instead of a ``Literal``."""
    title = measure.display or measure.name
    roles: dict[str, tuple[Ref, ...]] = {"Data": (measure,)}
    if compare is not None:
        roles["ReferenceLabels"] = (compare,)
    alt = f"{title}, compared with {compare.display or compare.name}" if compare is not None else title
    config = _visual(
        "cardVisual",
        roles,
        container_objects={
            **_title(title),
            "general": [{"properties": {"altText": prop(alt)}}],
            "subTitle": [{"properties": {"show": prop(True), "text": {"expr": period.expr()}}}],
        },
    )
    config["drillFilterOtherVisuals"] = True
    return Visual(name, title, config)


def text_card(name: str, measure: Ref) -> Visual:
    """A card showing a text measure (a note such as why a column is not available), wrapped, with
    no title and no category label."""
    config = _visual(
        "card",
        {"Values": (measure,)},
        objects={
            "labels": [{"properties": {"fontSize": prop(11.0)}}],
            "categoryLabels": [{"properties": {"show": prop(False)}}],
            "wordWrap": [{"properties": {"show": prop(True)}}],
        },
        container_objects=_title(measure.display or measure.name, show=False),
    )
    config["drillFilterOtherVisuals"] = True
    return Visual(name, measure.display or measure.name, config)


def slicer(name: str, ref: Ref, *, mode: str, search: bool = False, sync_group: str) -> Visual:
    """A slicer synced across pages through ``sync_group`` (same group name on every page)."""
    objects: Json = {"data": [{"properties": {"mode": prop(mode)}}]}
    if search:
        objects["general"] = [{"properties": {"selfFilterEnabled": prop(True)}}]
    config = _visual("slicer", {"Values": (ref,)}, objects=objects, container_objects=_alt(ref))
    config["syncGroup"] = {"groupName": sync_group, "fieldChanges": True, "filterChanges": True}
    config["drillFilterOtherVisuals"] = True
    return Visual(name, ref.display or ref.name, config)


def _alt(ref: Ref) -> Json:
    return {"general": [{"properties": {"altText": prop(f"Slicer: {ref.display or ref.name}")}}]}


def single_slicer(name: str, ref: Ref, *, sync_group: str) -> Visual:
    """A list slicer on one value at a time: single select with a selection forced, and no saved
    value. Power BI then selects the first value the user may see (the slicer lists the values
    sorted by ``ref``, so its sort-by column decides which), and row-level security decides what
    that is: no role is opened on a value it cannot see."""
    objects: Json = {
        "data": [{"properties": {"mode": prop("Basic")}}],
        "selection": [
            {
                "properties": {
                    "singleSelect": prop(True),
                    "strictSingleSelect": prop(True),
                    "selectAllCheckboxEnabled": prop(False),
                }
            }
        ],
    }
    config = _visual(
        "slicer",
        {"Values": (ref,)},
        sort=((ref, "Ascending"),),
        objects=objects,
        container_objects=_alt(ref),
    )
    config["syncGroup"] = {"groupName": sync_group, "fieldChanges": True, "filterChanges": True}
    config["drillFilterOtherVisuals"] = True
    return Visual(name, ref.display or ref.name, config)


def bookmark_navigator(name: str, title: str) -> Visual:
    """The bookmark navigator (Insert > Buttons > Navigator > Bookmark navigator): one button per
    bookmark of the report, so the saved views are a click away."""
    config = _visual(
        "bookmarkNavigator",
        container_objects={"general": [{"properties": {"altText": prop(title)}}]},
    )
    config["drillFilterOtherVisuals"] = True
    return Visual(name, title, config)


def textbox(name: str, text: str) -> Visual:
    """The page heading."""
    run = {"value": text, "textStyle": {"fontWeight": "bold", "fontSize": "16pt"}}
    config = _visual("textbox", objects={"general": [{"properties": {"paragraphs": [{"textRuns": [run]}]}}]})
    config["drillFilterOtherVisuals"] = True
    return Visual(name, text, config)


def back_button(name: str) -> Visual:
    """The back arrow Desktop adds to a drill-through page."""
    config = _visual(
        "actionButton",
        objects={"icon": [{"properties": {"shapeType": prop("back")}, "selector": {"id": "default"}}]},
        container_objects={"visualLink": [{"properties": {"show": prop(True), "type": prop("Back")}}]},
    )
    config["drillFilterOtherVisuals"] = True
    return Visual(name, "Back", config)


def top_n(name: str, ref: Ref, by: Ref, count: int) -> Json:
    """A visual-level TopN filter: only the ``count`` values of ``ref`` with the highest ``by``."""
    return {
        "name": name,
        "field": ref.expr(),
        "type": "TopN",
        "filter": top_n_filter(ref, by, count),
        "howCreated": "User",
    }


def only(name: str, ref: Ref, values: tuple[bool | int | str, ...]) -> Json:
    """A visual-level categorical filter: ``ref`` is one of ``values``."""
    return {
        "name": name,
        "field": ref.expr(),
        "type": "Categorical",
        "filter": in_filter(ref, values),
        "howCreated": "User",
    }


@dataclass(frozen=True)
class MeasureFilter:
    """A visual-level filter on a measure: ``measure <kind> limit`` (QueryComparisonKind).

    DAX compares a blank as 0, so ``< 1`` keeps the blanks and ``> 0`` drops them: a filter that
    must not keep blank rows says ``> 0`` on the measure that is blank (e.g. Budget To Date)."""

    visual: str
    measure: Ref
    kind: int
    limit: float

    def name(self, page: str) -> str:
        return f"{page}_{self.visual}_{slug(self.measure.name)}"

    def filter(self) -> Json:
        return comparison_filter(self.measure, self.kind, self.limit)

    def card(self, page: str) -> Json:
        """The filter as a visual's ``filterConfig`` lists it."""
        return {
            "name": self.name(page),
            "field": self.measure.expr(),
            "type": "Advanced",
            "filter": self.filter(),
            "howCreated": "User",
        }
