"""Command line: ``python -m stubs.tradier [--host 127.0.0.1] [--port 8099]``."""

from __future__ import annotations

import argparse
import datetime as dt
import os

from stubs._server import fail_startup, instance_id_from_env, serve
from stubs.tradier.app import StubState, create_app

PROGRAM = "stubs.tradier"


def _as_of() -> dt.date:
    raw = os.environ.get("STUB_AS_OF", "").strip()
    if not raw:
        return dt.datetime.now(dt.UTC).date()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        fail_startup(PROGRAM, f"STUB_AS_OF must be a date YYYY-MM-DD, got {raw!r}")
        raise  # unreachable: fail_startup exits


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog=f"python -m {PROGRAM}", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8099, help="port to listen on")
    args = parser.parse_args(argv)
    token = os.environ.get("TRADIER_TOKEN", "").strip()
    if not token:
        fail_startup(PROGRAM, "TRADIER_TOKEN is not set (the bearer token the stub accepts)")
    state = StubState(token=token, as_of=_as_of(), instance_id=instance_id_from_env())
    serve(
        create_app(state),
        host=args.host,
        port=args.port,
        startup={"instance_id": state.instance_id, "as_of": state.as_of.isoformat()},
    )


if __name__ == "__main__":
    main()
