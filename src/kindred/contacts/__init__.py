"""Contacts: people, their tags, custom fields, timeline, import, export and CRM sync."""
