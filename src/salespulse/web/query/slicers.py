"""The dashboard's slicers, each declared once: what the rest of the web derives from this registry.

- ``Filters`` (a field per slicer) and the model column each one restricts on the order lines and
  the budget (``filters.FILTER_COLUMNS``, ``sqlbuild.filter_rows``);
- the column it restricts on each analytics view (``analytics.RULES``; the forecast's series rules
  are written there);
- the values a scope may use (``options.filter_options``: a dataset of its own, else the distinct
  values of the slicer's columns that the role's rules leave) and the dropdown's options
  (``ui.choices``);
- the filter panel's dropdowns, in this order (``ui.layout``), the callbacks' inputs and outputs
  (``ui.callbacks``), the URL / saved-view state and its checks, labels and chips (``ui.state``).

A new slicer is one entry here (a model column the order lines reach); its name is its ``Filters``
field, its state key and, with dashes, its element id (``f-<name>``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Slicer:
    name: str  # Filters field and state key (a name ending in _keys holds integer keys)
    label: str  # on screen and in exports
    table: str  # the model table it restricts (the order lines reach it)
    column: str  # its view column
    options: str  # the filter_options dataset listing the values a scope may use
    value: str  # that dataset's column of values (model name)
    shown: str  # ... and the column the dropdown shows
    extra: str | None = None  # ... shown after " · " (the territory's region, a rep's territory)
    placeholder: str = ""
    #: analytics model table -> its view column this slicer restricts (the views without it ignore it)
    analytics: Mapping[str, str] = field(default_factory=dict)
    panel: bool = True  # a dropdown of the filter panel (the cities are chosen on the map)
    #: its options come as the user types (clients, products: lists too long to send whole, which
    #: Dash's dropdown would index, every substring of every label, on every page load)
    typeahead: bool = False

    @property
    def keys(self) -> bool:
        return self.name.endswith("_keys")


_SEGMENTS, _ACTIVITY, _ACQUISITION = "Client Segments", "Client Activity", "Rep Acquisition"
_CLIENT_VIEWS = (_SEGMENTS, _ACTIVITY)
_ORG_VIEWS = (_SEGMENTS, _ACTIVITY, _ACQUISITION)


def _on(views: tuple[str, ...], column: str) -> dict[str, str]:
    return {view: column for view in views}


SLICERS: tuple[Slicer, ...] = (
    Slicer(
        "regions",
        "Region",
        "Territory",
        "region_name",
        "regions",
        "Region",
        "Region",
        placeholder="All regions",
        analytics=_on(_ORG_VIEWS, "region_name"),
    ),
    Slicer(
        "territory_codes",
        "Territory",
        "Territory",
        "territory_code",
        "territories",
        "Territory Code",
        "Territory",
        "Region",
        placeholder="All territories",
        analytics=_on((_SEGMENTS, _ACQUISITION), "territory_code"),  # Client Activity: by key (analytics)
    ),
    Slicer(
        "sales_rep_keys",
        "Sales rep",
        "Sales Rep",
        "sales_rep_key",
        "sales_reps",
        "Sales Rep Key",
        "Sales Rep",
        "Territory Code",
        placeholder="All sales reps",
        analytics=_on(_ORG_VIEWS, "sales_rep_key"),
    ),
    Slicer(
        "categories",
        "Category",
        "Product",
        "category_name",
        "categories",
        "Category",
        "Category",
        placeholder="All categories",
    ),
    Slicer(
        "subcategories",
        "Subcategory",
        "Product",
        "subcategory_name",
        "subcategories",
        "Subcategory",
        "Subcategory",
        "Category",
        placeholder="All subcategories",
    ),
    Slicer(
        "product_keys",
        "Product",
        "Product",
        "product_key",
        "products",
        "Product Key",
        "Product",
        "Subcategory",
        placeholder="Type a product's name…",
        typeahead=True,
    ),
    Slicer(
        "customer_keys",
        "Client",
        "Customer",
        "customer_key",
        "customers",
        "Customer Key",
        "Client",
        "Client Type",
        placeholder="Type a client's name…",
        analytics={_SEGMENTS: "customer_key"},
        typeahead=True,
    ),
    Slicer(
        "client_types",
        "Client type",
        "Customer",
        "customer_type",
        "client_types",
        "Client Type",
        "Client Type",
        placeholder="All client types",
        analytics=_on(_CLIENT_VIEWS, "customer_type"),
    ),
    Slicer(
        "industries",
        "Industry",
        "Customer",
        "industry",
        "industries",
        "Industry",
        "Industry",
        placeholder="All industries",
        analytics=_on(_CLIENT_VIEWS, "industry"),
    ),
    Slicer(
        "campaign_keys",
        "Campaign",
        "Campaign",
        "campaign_key",
        "campaigns",
        "Campaign Key",
        "Campaign",
        placeholder="All campaigns",
        analytics={"Campaign Effectiveness": "campaign_key"},
    ),
    Slicer(
        "geography_keys",  # cities: the map's selection (the state's geography drill path)
        "Geography",
        "Geography",
        "geography_key",
        "cities",
        "Geography Key",
        "City",
        panel=False,
    ),
)


def panel_slicers() -> tuple[Slicer, ...]:
    """The filter panel's dropdowns, in order."""
    return tuple(slicer for slicer in SLICERS if slicer.panel)


def slicer(name: str) -> Slicer:
    for item in SLICERS:
        if item.name == name:
            return item
    raise KeyError(f"no slicer {name!r}")
