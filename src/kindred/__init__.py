"""Kindred: an open-source CRM and outreach platform with one REST API."""

__version__ = "0.1.0"
