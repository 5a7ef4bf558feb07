"""Input, scores."""
