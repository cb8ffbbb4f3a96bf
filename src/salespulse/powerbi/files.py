"""Write a set of generated files, removing files in the generated folders that are no longer rendered."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path


def is_local_cache(path: Path) -> bool:
    """Desktop's own caches and settings (``.pbi/``) are not generated and never touched."""
    return ".pbi" in path.parts


def unexpected_files(files: Mapping[Path, str], managed: Iterable[Path]) -> list[Path]:
    """Files under the ``managed`` folders that are not in ``files`` (Desktop caches aside)."""
    return sorted(
        path
        for folder in managed
        if folder.exists()
        for path in folder.rglob("*")
        if path.is_file() and path not in files and not is_local_cache(path)
    )


def sync_files(files: Mapping[Path, str], managed: Iterable[Path]) -> list[Path]:
    """Write ``files`` (absolute path -> text) where they differ; drop unexpected files and empty folders.

    Returns the paths written.
    """
    managed = tuple(managed)
    for path in unexpected_files(files, managed):
        path.unlink()
    for folder in managed:
        for path in sorted(folder.rglob("*"), reverse=True) if folder.exists() else []:
            if path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    written = []
    for path, text in files.items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
            written.append(path)
    return written
