"""Helpers for tests and benchmarks of search and Ask: stand-ins for model servers, no downloads."""
