"""Versioned addresses of the app's own asset files, and the partial Plotly bundle.

A file under ``/assets/`` asked for with its version (``?v=<hash of its content>``, or Dash's
``?m=<modified time>``) is the same bytes for as long as that address is asked for: the browser may
keep it a year and never ask again (``immutable``, set by ``auth``). An address without a version,
or with one the file no longer has, is revalidated as before.

The charts' Plotly: ``npm ci`` builds a partial bundle of plotly.js with only the trace types the
charts draw (scripts/plotly_bundle.mjs; 1.3 MB instead of the full 4.8 MB) into
``assets/vendor/plotly.min.js``. The app uses it only when it is there and of the plotly.js version
the installed Python plotly ships (the one Dash's graphs were built against); otherwise Dash loads
its full bundle as before, with a warning in the log.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from functools import lru_cache
from pathlib import Path

ASSETS = Path(__file__).parents[1] / "assets"
#: The bundle, relative to the assets folder (kept out of the page's own scripts: loaded once the
#: page has loaded, ``assets/plotly-bundle.js``).
BUNDLE = "vendor/plotly.min.js"
#: The page's meta tag naming the bundle's versioned address (read by ``assets/plotly-bundle.js``).
BUNDLE_META = "salespulse-plotly"
#: The world map's default shapes (Plotly's name for them, and the file): fetched beside the bundle
#: and handed to Plotly before a map draws (``assets/plotly-bundle.js``).
WORLD_SHAPES = ("world_110m", "topojson/world_110m.json")
TOPOJSON_META = "salespulse-topojson"
TOPOJSON_NAME_META = "salespulse-topojson-name"
_BANNER = re.compile(rb"^/\* plotly\.js v(?P<version>[0-9][^ ]*) ")
log = logging.getLogger(__name__)


@lru_cache(maxsize=64)
def _digest(path: str, modified: int, size: int) -> str:
    """The first 16 hex digits of the file's SHA-256 (cached per file, modification time and size)."""
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()[:16]


def content_version(path: Path) -> str:
    """The version ``?v=`` of an asset file: a hash of its content."""
    stat = path.stat()
    return _digest(str(path), stat.st_mtime_ns, stat.st_size)


def versioned_url(relative: str, assets: Path = ASSETS) -> str:
    """``/assets/<relative>?v=<content version>``."""
    return f"/assets/{relative}?v={content_version(assets / relative)}"


def is_current_version(path: Path, version: str | None, modified: str | None) -> bool:
    """The request's ``v`` (content hash) or ``m`` (Dash's modified time) is the file's as it is
    now: its bytes cannot change under that address."""
    if version:
        return version == content_version(path)
    if modified:
        return modified == str(os.path.getmtime(path))
    return False


def bundle_version(path: Path) -> str | None:
    """The plotly.js version in the bundle's banner (``None``: no bundle, or not one of ours)."""
    try:
        with path.open("rb") as handle:
            found = _BANNER.match(handle.read(200))
    except OSError:
        return None
    return found.group("version").decode() if found else None


def plotly_bundle_url(assets: Path = ASSETS) -> str | None:
    """The versioned address of the partial Plotly bundle, or ``None`` (Dash's full one is used):
    not built (``npm ci`` builds it), or of another plotly.js version than Python's plotly ships."""
    from plotly.offline import get_plotlyjs_version  # type: ignore[import-untyped]

    path = assets / BUNDLE
    expected = get_plotlyjs_version()
    found = bundle_version(path)
    if found is None:
        log.warning("no partial Plotly bundle at %s (npm ci builds it): the charts load Plotly in full", path)
        return None
    if found != expected:
        log.warning(
            "the Plotly bundle at %s is plotly.js %s, the installed plotly needs %s (run npm ci): "
            "the charts load Plotly in full",
            path,
            found,
            expected,
        )
        return None
    return versioned_url(BUNDLE, assets)


def page_meta_tags(assets: Path = ASSETS) -> list[dict[str, str]]:
    """The page's meta tags for ``assets/plotly-bundle.js``: the bundle's versioned address and the
    world map's default shapes (none without a bundle: Dash then loads Plotly as it does)."""
    bundle = plotly_bundle_url(assets)
    if bundle is None:
        return []
    name, shapes = WORLD_SHAPES
    return [
        {"name": BUNDLE_META, "content": bundle},
        {"name": TOPOJSON_META, "content": versioned_url(shapes, assets)},
        {"name": TOPOJSON_NAME_META, "content": name},
    ]
