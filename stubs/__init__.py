"""Test doubles of the outside world: a Tradier-compatible market-data stub and a Sentry sink."""
