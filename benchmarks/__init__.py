"""Benchmark scripts (SPEC section 5): run with `python -m benchmarks.<name>`."""
