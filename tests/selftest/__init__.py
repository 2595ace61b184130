"""Self-test of the acceptance harness: known regressions must be caught (``make selftest``)."""
