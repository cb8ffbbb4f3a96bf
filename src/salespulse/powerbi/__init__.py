"""The Power BI project (PBIP) under ``powerbi/``: writing it from the semantic layer and checking it.

- ``tmdl_writer`` renders the semantic model (TMDL) from ``salespulse.semantic``;
- ``report`` renders the report (PBIR);
- ``tmdl`` parses TMDL back, and ``checks`` runs every offline check on the committed files.
"""

PROJECT_NAME = "SalesPulse"
