"""Shared helpers of the benchmark scripts (not scripts themselves)."""
