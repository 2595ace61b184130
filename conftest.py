"""Root conftest: registers the harness's plugins for every pytest run in this repository."""

pytest_plugins = [
    "fixtures.harness",
    "fixtures.evidence",
    "fixtures.browser",
    "reports.plugin",
]
