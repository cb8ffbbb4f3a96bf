"""The web dashboard's server side: filters, row-level security, measures and page data.

The Dash UI calls only these functions; every number is a measure of
``salespulse/semantic/measures.yml`` evaluated against the warehouse's reporting views, or (the
Forecast and Clients pages, campaign effectiveness) read from the analytics views by
``salespulse.web.query.analytics`` with the same row-level security:

- ``resolve_scope(email)`` once per request (the signed-in user), ``Filters(...)`` from the slicers;
- ``filter_options(scope)`` for the slicers, ``page_data(name, filters, scope)`` (or the page
  functions) for a page's datasets, ``evaluate(measures, filters, scope, by=...)`` for anything else,
  ``evaluate_many`` for several datasets at once.

Any ``reader=`` may be a ``Session`` (one per request): lookups read once, shared by its calls.
Order-line measures are read from the smallest aggregate built for the web that gives the same
numbers (``salespulse.web.query.sources``).
"""

from salespulse.web.query.filters import AccessDenied, Filters, Scope, resolve_scope
from salespulse.web.query.measures import Request, evaluate, evaluate_many
from salespulse.web.query.pages import (
    PAGES,
    campaigns,
    clients,
    customer_details,
    filter_options,
    forecast,
    page_data,
    product_details,
    sales_overview,
    sales_reps,
)
from salespulse.web.query.readers import Reader, default_reader, open_reader
from salespulse.web.query.session import Session
from salespulse.web.query.timeintel import Calendar, load_calendar

__all__ = [
    "PAGES",
    "AccessDenied",
    "Calendar",
    "Filters",
    "Reader",
    "Request",
    "Scope",
    "Session",
    "campaigns",
    "clients",
    "customer_details",
    "default_reader",
    "evaluate",
    "evaluate_many",
    "filter_options",
    "forecast",
    "load_calendar",
    "open_reader",
    "page_data",
    "product_details",
    "resolve_scope",
    "sales_overview",
    "sales_reps",
]
