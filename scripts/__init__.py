"""Set-up helpers run by the Makefile."""
