"""Options Desk reference backend: FastAPI app serving option chains and positions from Tradier."""

__version__ = "1.4.0"
