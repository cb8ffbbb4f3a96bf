"""The semantic layer both front ends share: model tables, relationships, roles, measures and pages.

``model.yml``, ``measures.yml`` and ``pages.yml`` (what every report page shows) beside this module
are the single source; the Power BI TMDL and report, the web dashboard's queries and pages and the
warehouse's measure macros are rendered from them.
"""

from salespulse.semantic.measures import Measure, load_measures
from salespulse.semantic.model import Column, Relationship, Role, SemanticModel, Table, load_model

__all__ = [
    "Column",
    "Measure",
    "Relationship",
    "Role",
    "SemanticModel",
    "Table",
    "load_measures",
    "load_model",
]
