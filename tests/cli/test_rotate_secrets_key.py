"""`kindred admin rotate-secrets-key`: makes keys, and re-encrypts with the first key."""

from __future__ import annotations

import stat
from pathlib import Path

from cryptography.fernet import Fernet

from tests.cli.test_cli import kindred


def test_new_key_prints_a_fernet_key(tmp_path: Path) -> None:
    result = kindred("admin", "rotate-secrets-key", "--new-key", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    Fernet(result.stdout.strip().encode())  # raises if it is not a valid key


def test_rotation_runs_on_the_embedded_default_and_its_generated_key(tmp_path: Path) -> None:
    result = kindred("admin", "rotate-secrets-key", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Re-encrypted" in result.stdout
    key_file = tmp_path / "secrets.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
