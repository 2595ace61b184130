"""End-of-run secret scan: does any output file (zip members included) hold a secret value?

Only file names are ever reported, never the value found.
"""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote

from reports.runinfo import MIN_SECRET_LENGTH

# Long-lived values that may come from the environment (DESIGN §6), scanned even when no plugin
# registered them.
SECRET_ENV_VARS = ("TRADIER_TOKEN", "AUTH_SECRET", "SENTRY_DSN", "QE_PASSWORD")


def env_secrets(environ: os._Environ[str] | dict[str, str] | None = None) -> set[str]:
    environ = os.environ if environ is None else environ
    return {
        value
        for name in SECRET_ENV_VARS
        if (value := environ.get(name, "")) and len(value) >= MIN_SECRET_LENGTH
    }


def needles(secrets: Iterable[str]) -> list[bytes]:
    """Each secret as it may appear in a file: raw, URL-encoded and JSON-escaped."""
    found: set[bytes] = set()
    for secret in secrets:
        if len(secret) < MIN_SECRET_LENGTH:
            continue
        for form in (secret, quote(secret, safe=""), json.dumps(secret)[1:-1]):
            found.add(form.encode("utf-8"))
    return sorted(found)


def _holds(data: bytes, patterns: list[bytes]) -> bool:
    return any(p in data for p in patterns)


def scan_file(path: Path, patterns: list[bytes]) -> list[str]:
    """Names of the places in ``path`` holding a secret: the file itself or ``file!member``."""
    if not patterns:
        return []
    hits: list[str] = []
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                for member in archive.infolist():
                    if not member.is_dir() and _holds(archive.read(member), patterns):
                        hits.append(f"{path}!{member.filename}")
        if not hits and _holds(path.read_bytes(), patterns):
            hits.append(str(path))
    except (OSError, zipfile.BadZipFile):
        # A file being rewritten or removed while we scan is not a leak.
        return hits
    return hits


def scan(paths: Iterable[Path], secrets: Iterable[str], exclude: Iterable[Path] = ()) -> list[str]:
    """Scan files and directory trees; returns the places holding a secret, sorted."""
    patterns = needles(secrets)
    skip = {p.resolve() for p in exclude}
    seen: set[Path] = set()
    hits: list[str] = []
    for root in paths:
        files = sorted(root.rglob("*")) if root.is_dir() else [root]
        for file in files:
            resolved = file.resolve()
            if resolved in seen or resolved in skip or not file.is_file():
                continue
            seen.add(resolved)
            hits.extend(scan_file(file, patterns))
    return sorted(hits)
