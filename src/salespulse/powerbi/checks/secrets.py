"""No file of the Power BI project names a local path or carries a credential.

A local path (``C:\\Users\\...``, ``/home/...``) works on one machine only and tells the world who
built the file; a password or token in TMDL, M or JSON is a leak. Every text file under the folder
is read, whatever its extension.
"""

from __future__ import annotations

import re
from pathlib import Path

from salespulse.errors import Problem

LOCAL_PATHS = (
    re.compile(r"(?<![\w/\\.])[A-Za-z]:[\\/](?![\\/])"),  # C:\ or C:/ (not a URL scheme)
    re.compile(r"(?<![\w\\])\\\\[A-Za-z0-9][\w.$-]*\\"),  # \\server\share
    re.compile(r"(?<![\w.~:/-])/(?:home|Users|work|tmp|root|mnt)/"),
    re.compile(r"\bfile:/{2,3}[A-Za-z/]", re.IGNORECASE),
)
CREDENTIALS = (
    # password=..., Password="...", pwd='...' with a value
    re.compile(r"\b(?:password|passwd|pwd)\s*=\s*(?:\"[^\"]+\"|'[^']+'|[^\s;\"',)\]}])", re.IGNORECASE),
    re.compile(
        r"\"(?:password|passwd|pwd|secret|client_?secret|api_?key|access_?token|refresh_?token|token)\""
        r"\s*:\s*\"[^\"]+\"",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:access_?token|auth_?token|api_?key|client_?secret|sas_?token|account_?key|shared_?access_?key)"
        r"\s*[=:]\s*[\"']?[A-Za-z0-9+/_.=-]{8,}",
        re.IGNORECASE,
    ),
    re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@\"']+:[^/\s@\"']+@", re.IGNORECASE),  # scheme://user:password@
    re.compile(r"\bBearer\s+[A-Za-z0-9._~+/-]{20,}"),
    re.compile(r"\beyJ[\w-]{10,}\.[\w-]{10,}\.[\w-]{10,}"),  # a JSON web token
    re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|AKIA[0-9A-Z]{16})\b"),
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
)


def _masked(text: str) -> str:
    return text if len(text) <= 12 else text[:12] + "..."


def _hidden(secret: str) -> str:
    """The credential's key without its value: ``Password=...``."""
    cut = min((secret.index(char) for char in "=: " if char in secret), default=len(secret))
    return secret[: cut + 1].rstrip() + "..."


def _text(path: Path) -> str | None:
    data = path.read_bytes()
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def scan_text(text: str, file: str) -> list[Problem]:
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        for pattern in LOCAL_PATHS:
            if match := pattern.search(line):
                problems.append(
                    Problem(file, f"absolute local path {_masked(line[match.start() :])!r}", line=number)
                )
                break
        for pattern in CREDENTIALS:
            if match := pattern.search(line):
                problems.append(
                    Problem(file, f"looks like a credential: {_hidden(match.group(0))!r}", line=number)
                )
                break
    return problems


def check_secrets(folder: Path) -> list[Problem]:
    """Every text file under ``folder`` (names relative to it)."""
    folder = Path(folder)
    problems: list[Problem] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        text = _text(path)
        if text is not None:
            problems += scan_text(text, path.relative_to(folder).as_posix())
    return problems
