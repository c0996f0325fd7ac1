"""The `kindred` command: help, migrate and admin create against a fresh data directory."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def kindred(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {"KINDRED_DATA_DIR": str(data_dir), "PATH": "/usr/bin:/bin", "HOME": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "kindred.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_help_lists_every_command(tmp_path: Path) -> None:
    result = kindred("--help", data_dir=tmp_path)
    assert result.returncode == 0
    for command in ("serve", "worker", "migrate", "admin"):
        assert command in result.stdout


def test_migrate_creates_the_sqlite_database_in_the_data_dir(tmp_path: Path) -> None:
    result = kindred("migrate", "--check", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "kindred.db").exists()


def test_admin_create_makes_a_platform_admin_then_promotes(tmp_path: Path) -> None:
    first = kindred(
        "admin",
        "create",
        "--email",
        "root@example.com",
        "--password",
        "s3cret-pass",
        data_dir=tmp_path,
    )
    assert first.returncode == 0, first.stderr
    assert "created" in first.stdout
    again = kindred(
        "admin",
        "create",
        "--email",
        "root@example.com",
        "--password",
        "s3cret-pass",
        data_dir=tmp_path,
    )
    assert again.returncode == 0
    assert "promoted" in again.stdout


def test_worker_without_redis_explains_itself(tmp_path: Path) -> None:
    result = kindred("worker", data_dir=tmp_path)
    assert result.returncode == 2
    assert "REDIS_URL" in result.stdout
