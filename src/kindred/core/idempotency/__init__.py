"""Idempotency-Key for every POST route: the first response per (workspace, key) is replayed.

`IdempotencyMiddleware` (installed by create_app) covers every POST route, present and future;
`models` holds the table, `repository` its statements, `tasks` the purge of expired records.
"""
