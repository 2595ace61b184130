"""Tests of the benchmark's own logic (no timed assertions)."""
