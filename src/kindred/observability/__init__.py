"""Operational endpoints: Prometheus metrics."""
