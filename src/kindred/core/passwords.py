"""Password hashing: argon2id at or above OWASP's minimum (19 MiB, 2 iterations)."""

from __future__ import annotations

from functools import lru_cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher


@lru_cache(maxsize=1)
def _hasher() -> PasswordHash:
    return PasswordHash((Argon2Hasher(time_cost=2, memory_cost=19 * 1024, parallelism=1),))


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """Checks a password; with no stored hash it still spends the hashing time.

    Spending it keeps an unknown email as slow as a wrong password (no timing oracle).
    """
    if password_hash is None:
        _hasher().hash(password)
        return False
    return _hasher().verify(password, password_hash)
