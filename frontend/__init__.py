"""Options Desk reference frontend: a small Python server for the static UI plus an /api proxy."""

__version__ = "0.1.0"
