"""Deals: pipelines with ordered stages, deals on them, and every stage move kept."""
