"""Deterministic demo data: the source-system extracts of an online bike shop, with planted signals.

``generate(out_dir)`` writes monthly order-line deltas, the CRM/ERP/HR/marketing snapshots, the
finance budget workbook and ``_manifest.json`` (parameters, files and the true values of every
planted signal).
"""

from __future__ import annotations

from .api import GenerateSummary, generate

__all__ = ["GenerateSummary", "generate"]
