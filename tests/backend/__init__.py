"""Tests of the reference backend: unit tests per module and integration against real processes."""
