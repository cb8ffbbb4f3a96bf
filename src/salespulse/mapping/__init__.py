"""Bring your own data: turn a company's ERP/CRM exports into the raw contract's delivery folder.

``salespulse map --mapping mapping.yml --source <exports> --out <delivery>`` reads the mapping
(``spec``), reads each export as text (``sources``), builds every contract column from it
(``resolve``: rename, join, translate, look up, default; ``values``: strict types, amounts at
the contract's precision), fills in what order-line exports commonly lack (``rules``: line
numbers, quantity, status, ...), and writes the contract files all or nothing (``run``). The
budget workbooks are copied unchanged: the loader reads finance's workbook as sent.
The walkthrough is ``docs/bring-your-own-data.md``.
"""

from salespulse.mapping.run import MappingError, MapReport, map_exports
from salespulse.mapping.spec import load_mapping

__all__ = ["MapReport", "MappingError", "load_mapping", "map_exports"]
