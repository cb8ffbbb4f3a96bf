"""Project settings, read from the environment with defaults that work on a fresh clone.

Nothing here reads the clock: the "as of" date is a setting so that every number is
reproducible.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]

DEFAULT_AS_OF = date(2024, 12, 31)
DEFAULT_BUDGET_YEAR = 2024
DEFAULT_START = date(2022, 1, 1)


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else default


@dataclass(frozen=True)
class Settings:
    as_of: date
    budget_year: int
    data_dir: Path
    warehouse_dir: Path
    target: str

    @property
    def duckdb_path(self) -> Path:
        return self.warehouse_dir / "salespulse.duckdb"

    @property
    def budget_file(self) -> Path:
        return self.data_dir / f"budget_{self.budget_year}.xlsx"


def load_settings() -> Settings:
    """Settings from ``SALESPULSE_*`` environment variables (see README)."""
    return Settings(
        as_of=date.fromisoformat(os.environ.get("SALESPULSE_AS_OF", DEFAULT_AS_OF.isoformat())),
        budget_year=int(os.environ.get("SALESPULSE_BUDGET_YEAR", DEFAULT_BUDGET_YEAR)),
        data_dir=_env_path("SALESPULSE_DATA_DIR", PROJECT_ROOT / "data" / "demo"),
        warehouse_dir=_env_path("SALESPULSE_WAREHOUSE_DIR", PROJECT_ROOT / ".warehouse"),
        target=os.environ.get("SALESPULSE_TARGET", "duckdb"),
    )
