"""Input, shapes."""
