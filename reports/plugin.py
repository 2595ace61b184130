"""Results plugin: records every attempt and renders the checklist (filled in later)."""
