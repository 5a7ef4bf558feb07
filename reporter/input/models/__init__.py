"""Input, models."""
