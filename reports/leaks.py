"""End-of-run secret scan: does any output file (zip members included) hold a secret value?

The safety net behind redaction at the source (reports/redaction.py): it looks for the same
things redaction removes (every known secret in its raw, URL-encoded and JSON-escaped forms, and
any JWT), so a hit means some output escaped redaction. Only file names are ever reported, never
the value found.
"""

from __future__ import annotations

import os
import time
import zipfile
from collections.abc import Iterable
from pathlib import Path

from reports.redaction import MIN_SECRET_LENGTH, Redactor, forms

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
    found = {
        form.encode("utf-8")
        for secret in secrets
        if len(secret) >= MIN_SECRET_LENGTH
        for form in forms(secret)
    }
    return sorted(found)


def scan_file(path: Path, redactor: Redactor) -> list[str]:
    """Names of the places in ``path`` holding a secret: the file itself or ``file!member``."""
    hits: list[str] = []
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                for member in archive.infolist():
                    if not member.is_dir() and redactor.holds(archive.read(member)):
                        hits.append(f"{path}!{member.filename}")
        if not hits and redactor.holds(path.read_bytes()):
            hits.append(str(path))
    except (OSError, zipfile.BadZipFile):
        # A file being rewritten or removed while we scan is not a leak.
        return hits
    return hits


def scan(paths: Iterable[Path], secrets: Iterable[str], exclude: Iterable[Path] = ()) -> list[str]:
    """Scan files and directory trees; returns the places holding a secret (or a JWT), sorted."""
    return scan_until(paths, secrets, exclude)[0]


def scan_until(
    paths: Iterable[Path],
    secrets: Iterable[str],
    exclude: Iterable[Path] = (),
    until: float | None = None,
) -> tuple[list[str], int]:
    """``scan``, stopped when ``time.time()`` passes ``until`` (an interrupted run's last
    seconds): the places found, and how many files were left unchecked."""
    redactor = Redactor(secrets)
    skip = {p.resolve() for p in exclude}
    seen: set[Path] = set()
    hits: list[str] = []
    files = [f for root in paths for f in (sorted(root.rglob("*")) if root.is_dir() else [root])]
    for index, file in enumerate(files):
        if until is not None and time.time() > until:
            return sorted(hits), len(files) - index
        resolved = file.resolve()
        if resolved in seen or resolved in skip or not file.is_file():
            continue
        seen.add(resolved)
        hits.extend(scan_file(file, redactor))
    return sorted(hits), 0
