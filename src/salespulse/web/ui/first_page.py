"""The first page drawn by the layout itself: a page load costs one request less.

A page load used to go: the page, the layout (``layout.serve_layout``), then the first callback
(``callbacks._control_and_render``) for the state and the page, whose figures Plotly then draws.
The layout request knows which page the browser is on: Dash fetches it from that page, so its
``Referer`` is the page's address (same origin, and the app sends ``Referrer-Policy:
same-origin``). When that address is a page with no query (no ``?view=`` or drill link to open),
its state is the empty one and the layout already carries everything the first callback would
send: the page, its title, chips, export links, the active page in the header, the dates' quick
pick and the type-aheads' first options. A ``first-page`` store names the page so drawn,
and the first callback, finding the page already there, sends nothing.

Anything else (the root ``/``, a link with a query, no ``Referer`` behind a proxy that strips it)
keeps the old path: the layout leaves the page empty and the first callback draws it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import request
from flask_login import current_user

from salespulse.web.ui import callbacks, context
from salespulse.web.ui.layout import FIRST_PAGE_ID, slicer_id
from salespulse.web.ui.layout import serve_layout as shell
from salespulse.web.ui.state import calendar_of, empty_state, pick_of
from salespulse.web.ui.visuals import PAGES


def requested_page(referrer: str | None, host: str) -> str | None:
    """The page slug the layout is requested for, if the page can be drawn from the empty state."""
    if not referrer:
        return None
    address = urlsplit(referrer)
    if address.netloc != host or address.query or address.fragment:
        return None
    slug = address.path.strip("/")
    return slug if slug in PAGES else None


def serve_layout() -> Any:
    """The app shell (``layout.serve_layout``), with the requested page drawn in it when it can be."""
    slug = requested_page(request.referrer, request.host) if current_user.is_authenticated else None
    layout = shell(warm_up=slug is None)
    if slug is None:
        return layout
    layout[FIRST_PAGE_ID].data = slug
    resolved = callbacks.resolve_state(empty_state())
    clean = resolved.state
    title, chips, content, *links_and_nav = callbacks.render(clean, f"/{slug}")
    links, nav = links_and_nav[:3], links_and_nav[3:]
    layout["state"].data = clean
    layout["dates"].start_date, layout["dates"].end_date = clean["date_from"], clean["date_to"]
    layout["quick-pick"].value = pick_of(clean, calendar_of(context.options()))
    for slicer in callbacks.TYPEAHEADS:
        layout[slicer_id(slicer.name)].options = callbacks.typeahead_options(slicer, None, clean[slicer.name])
    for field in callbacks.FIELDS:
        layout[slicer_id(field)].value = clean[field]
    layout["page-title"].children = title
    layout["active-filters"].children = chips
    layout["page-content"].children = content
    for fmt, href in zip(("csv", "xlsx", "pdf"), links, strict=True):
        layout[f"export-{fmt}"].href = href
    for page, class_name in zip(PAGES, nav, strict=True):
        layout[f"nav-{page}"].className = class_name
    return layout
