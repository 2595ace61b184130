"""Fixtures for the browser layer's own tests: a tiny local site stands in for the frontend."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from tests.browser.site import LocalSite, serve_local_site


@pytest.fixture(scope="session")
def local_site() -> Iterator[LocalSite]:
    """A real HTTP server on a free loopback port with pages and the app's sign-in endpoint."""
    with serve_local_site() as site:
        yield site


@pytest.fixture(scope="session")
def base_url(local_site: LocalSite) -> str:
    """Overrides the harness's frontend URL: these tests need no app servers."""
    return local_site.url


@pytest.fixture(scope="session")
def desk_credentials(local_site: LocalSite) -> SimpleNamespace:
    """The local site's one user, in the shape of the harness's credentials."""
    return SimpleNamespace(username=local_site.username, password=local_site.password)
