"""Results plugin and checklist generator: they read outcomes as data, never start anything."""
