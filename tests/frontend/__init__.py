"""Tests of the reference frontend: the /api proxy, the server, the UI through the page objects."""
