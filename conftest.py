"""Root conftest: registers the harness's plugins for every pytest run in this repository."""
