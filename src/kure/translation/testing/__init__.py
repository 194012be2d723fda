"""Helpers for tests and benchmarks of the translation engines: tiny real models built on the spot, no downloads."""
