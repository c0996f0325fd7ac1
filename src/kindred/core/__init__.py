"""Shared machinery every domain builds on: database, errors, auth, schemas, jobs."""
