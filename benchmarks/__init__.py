"""Benchmark scripts; run them as files (see each script's docstring)."""
