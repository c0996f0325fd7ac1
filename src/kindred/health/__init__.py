"""Liveness and dependency health checks (document 003 shapes)."""
