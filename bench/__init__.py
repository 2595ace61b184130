"""Benchmark of the acceptance run: ``python -m bench`` (``make bench``) and remote-browser runs."""
