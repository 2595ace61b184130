"""Evidence and secrets: forced failures leave no secret in any output; GO evidence links work."""
