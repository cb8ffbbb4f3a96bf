"""Deterministic demo data: the source-system extracts of an online bike shop, with planted signals.

``generate(out_dir)`` writes monthly order-line deltas, the CRM/ERP/HR/marketing snapshots, the
finance budget workbook and ``_manifest.json`` (parameters, files and the true values of every
planted signal). ``trickle(out_dir)`` then writes small later deliveries of new, changed and
cancelled lines, one per tick, as a near-real-time ERP feed would (``trickle.py``).
"""

from __future__ import annotations

from .api import GenerateSummary, generate
from .trickle import TrickleDelivery, TrickleError, trickle

__all__ = ["GenerateSummary", "TrickleDelivery", "TrickleError", "generate", "trickle"]
