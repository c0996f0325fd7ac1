"""Tally (tally.so) form webhooks."""
