"""Benchmarks of egov-sync."""
