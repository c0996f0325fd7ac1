"""Campaigns: one-to-many email, SMS and WhatsApp sends to a frozen audience."""
