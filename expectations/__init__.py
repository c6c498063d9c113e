"""Data-quality rules of egov-sync, their Great Expectations suites and how a validation runs."""
