"""Workspace API keys for machine-to-machine access."""
