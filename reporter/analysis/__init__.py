"""Analysis: statistics and every statistical test, pure pandas/numpy -> Summary and comparisons."""
