"""Page objects: one class per page or component; methods are user intents, no assertions."""
