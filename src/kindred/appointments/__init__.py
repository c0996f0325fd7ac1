"""Appointments: the calendar, overlap rules and the iCalendar subscription feed."""
