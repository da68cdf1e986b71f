"""Benchmarks: performance and accuracy targets live here, not in unit tests."""
