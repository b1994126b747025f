"""Staff passwords: argon2id hashes (argon2-cffi's RFC 9106 low-memory profile)."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


class Passwords:
    """Hashes and checks passwords; tests may build one with cheaper parameters."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()
        self._dummy: str | None = None

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        """Whether `password` matches; with no hash (unknown user), spend the same time and say no."""
        if password_hash is None and self._dummy is None:
            self._dummy = self._hasher.hash("not the password of anyone")
        try:
            return self._hasher.verify(password_hash or self._dummy or "", password) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False


PASSWORDS = Passwords()
