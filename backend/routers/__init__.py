"""API routers, one per resource; ``backend.main`` wires them."""
