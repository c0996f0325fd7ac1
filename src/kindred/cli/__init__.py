"""The `kindred` command: serve, worker, migrate, admin."""

from kindred.cli.main import app


def main() -> None:
    app()


__all__ = ["app", "main"]
