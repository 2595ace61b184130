"""Command line: ``python -m frontend --port P --backend-url URL`` (or env ``BACKEND_URL``)."""

from __future__ import annotations

import sys

from frontend.server import main

if __name__ == "__main__":
    sys.exit(main())
