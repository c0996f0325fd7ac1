"""Leads: businesses not yet customers, their import, dedup and conversion to contacts."""
