"""Observe: sentences written from analysis results only -> Observation lists."""
