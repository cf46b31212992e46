"""Benchmark scripts (targets and results in BENCHMARKS.md): `python -m benchmarks.<name>`."""
