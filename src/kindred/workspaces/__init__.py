"""Workspaces (tenants; also called organizations and brands) and their memberships."""
