"""Redaction: take every secret the run knows out of a value, a text, a file or a trace zip.

One ``Redactor`` holds the run's secrets (configured secrets, passwords, issued tokens) and also
recognises any JSON Web Token by its shape, so a token the harness never saw (the one the app got
when a scenario signed in through the form) is redacted too. Each secret is looked for raw,
URL-encoded and JSON-escaped, the forms in which it lands in reports, logs and traces.

A Playwright trace is a zip of JSON-lines files (``*.trace``, ``*.network``, ``*.stacks``) and
``resources/``; ``rewrite_zip`` rewrites JSON lines value by value (so every line still parses)
and other members byte by byte, then proves the new zip opens and its JSON lines parse before it
replaces the old one. Import-light (no pytest, no fixtures): the browser layer redacts traces with
it, the results plugin redacts reports and outputs.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote

REDACTED = "[REDACTED]"
# Shorter values would match ordinary text.
MIN_SECRET_LENGTH = 6
# A JWT (header.payload.signature, base64url; header and payload are JSON objects, so "eyJ").
JWT_PATTERN = re.compile(rb"eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{10,}")
_JWT_TEXT = re.compile(JWT_PATTERN.pattern.decode())
JSON_LINES_SUFFIXES = (".trace", ".network", ".stacks", ".jsonl", ".ndjson")


def forms(secret: str) -> list[str]:
    """The ways ``secret`` is written in a file: raw, URL-encoded, JSON-escaped (longest first)."""
    found = {secret, quote(secret, safe=""), json.dumps(secret)[1:-1]}
    return sorted(found, key=len, reverse=True)


class Redactor:
    """Replaces every known secret (in all its forms) and every JWT with ``[REDACTED]``."""

    def __init__(self, secrets: Iterable[str | None]) -> None:
        values = {s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH}
        self.secrets = sorted(values, key=len, reverse=True)
        texts = sorted({f for s in self.secrets for f in forms(s)}, key=len, reverse=True)
        self._texts = texts
        self._bytes = [t.encode("utf-8") for t in texts]

    # ------------------------------------------------------------------ plain values

    def text(self, value: str) -> str:
        for needle in self._texts:
            if needle in value:
                value = value.replace(needle, REDACTED)
        return _JWT_TEXT.sub(REDACTED, value)

    def data(self, value: bytes) -> bytes:
        for needle in self._bytes:
            if needle in value:
                value = value.replace(needle, REDACTED.encode())
        return JWT_PATTERN.sub(REDACTED.encode(), value)

    def holds(self, value: bytes) -> bool:
        return any(n in value for n in self._bytes) or JWT_PATTERN.search(value) is not None

    def value(self, node: Any) -> Any:
        """``node`` (str, dict, list, tuple at any depth) with every string redacted; a copy."""
        if isinstance(node, str):
            return self.text(node)
        if isinstance(node, dict):
            return {self.value(k): self.value(v) for k, v in node.items()}
        if isinstance(node, list | tuple):
            return [self.value(v) for v in node]
        return node

    def in_place(self, obj: Any, _depth: int = 0) -> Any:
        """Redact the strings of an object graph in place (pytest's report objects: dataclasses,
        lists, tuples); returns the object, or a new one for immutable values."""
        if _depth > 30:
            return obj
        if isinstance(obj, str):
            return self.text(obj)
        if isinstance(obj, list):
            obj[:] = [self.in_place(v, _depth + 1) for v in obj]
            return obj
        if isinstance(obj, tuple):
            values = [self.in_place(v, _depth + 1) for v in obj]
            return type(obj)(*values) if hasattr(obj, "_fields") else tuple(values)
        if isinstance(obj, dict):
            for key in list(obj):
                obj[key] = self.in_place(obj[key], _depth + 1)
            return obj
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            for f in dataclasses.fields(obj):
                current = getattr(obj, f.name, None)
                redacted = self.in_place(current, _depth + 1)
                if redacted is not current:
                    object.__setattr__(obj, f.name, redacted)
            return obj
        return obj

    # ------------------------------------------------------------------ files

    def rewrite_file(self, path: Path) -> bool:
        """Redact one file in place (a zip member by member); True when it changed."""
        if zipfile.is_zipfile(path):
            return self.rewrite_zip(path)
        data = path.read_bytes()
        if not self.holds(data):
            return False
        if path.suffix in JSON_LINES_SUFFIXES or path.suffix == ".json":
            new = self._json_document(data)
        else:
            new = self.data(data)
        _replace(path, new)
        return True

    def rewrite_tree(self, root: Path) -> list[Path]:
        """Redact every file under ``root``; returns the files that changed."""
        changed = []
        for path in sorted(root.rglob("*")) if root.is_dir() else [root]:
            try:
                if path.is_file() and self.rewrite_file(path):
                    changed.append(path)
            except (OSError, zipfile.BadZipFile):
                continue  # a file removed or rewritten under us is not ours to fix
        return changed

    def rewrite_zip(self, path: Path) -> bool:
        """Redact every member of a zip (a Playwright trace); the result is checked before it
        replaces ``path``: it opens, and every JSON-lines member still parses line by line."""
        with zipfile.ZipFile(path) as archive:
            members = [(info, archive.read(info)) for info in archive.infolist()]
        if not any(self.holds(data) for _, data in members):
            return False
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".redact-", suffix=".zip")
        os.close(fd)
        try:
            with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
                for info, data in members:
                    if self.holds(data):
                        data = self._member(info.filename, data)
                    out.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
            check_zip(Path(tmp))
            os.chmod(tmp, path.stat().st_mode & 0o777)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return True

    def _member(self, name: str, data: bytes) -> bytes:
        if name.endswith(JSON_LINES_SUFFIXES) or name.endswith(".json"):
            return self._json_document(data)
        return self.data(data)

    def _json_document(self, data: bytes) -> bytes:
        """JSON or JSON lines, redacted value by value so every line still parses."""
        lines = data.split(b"\n")
        out = []
        for line in lines:
            if not self.holds(line):
                out.append(line)
                continue
            try:
                parsed = json.loads(line)
            except ValueError:
                out.append(self.data(line))
                continue
            redacted = json.dumps(self.value(parsed), ensure_ascii=False, separators=(",", ":"))
            out.append(redacted.encode("utf-8"))
        return b"\n".join(out)


def check_zip(path: Path) -> None:
    """Raise ``ValueError`` unless ``path`` is a sound zip whose JSON-lines members all parse."""
    with zipfile.ZipFile(path) as archive:
        bad = archive.testzip()
        if bad is not None:
            raise ValueError(f"{path}: member {bad} is corrupt")
        for name in archive.namelist():
            if not name.endswith(JSON_LINES_SUFFIXES):
                continue
            for number, line in enumerate(archive.read(name).splitlines(), start=1):
                if line.strip():
                    try:
                        json.loads(line)
                    except ValueError as exc:
                        raise ValueError(f"{path}!{name} line {number}: {exc}") from exc


def _replace(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".redact-")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(tmp, path.stat().st_mode & 0o777)
    os.replace(tmp, path)
