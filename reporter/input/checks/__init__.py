"""Input, checks."""
