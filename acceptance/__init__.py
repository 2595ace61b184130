"""The acceptance suite: scenarios, API contract, environment checks and the checklist catalogue."""
