"""Input, sources."""
