"""The ephemeral GX context and its only output, the Data Docs site."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import great_expectations as gx
from great_expectations.data_context.types.base import (
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)

from salespulse.settings import PROJECT_ROOT

DEFAULT_DOCS_DIR = PROJECT_ROOT / "artifacts" / "gx" / "data_docs"
DOCS_SITE = "salespulse_local_site"


def ephemeral_context(docs_dir: Path) -> Any:
    """An in-memory GX context whose only Data Docs site is ``docs_dir``; analytics and progress bars off."""
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
        data_docs_sites={
            DOCS_SITE: {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(docs_dir),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        },
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def clear_docs(docs_dir: Path) -> None:
    """Remove an earlier run's pages (only the folders and index GX writes): the docs show this run."""
    for name in ("validations", "expectations"):
        shutil.rmtree(docs_dir / name, ignore_errors=True)
    (docs_dir / "index.html").unlink(missing_ok=True)
