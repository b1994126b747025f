"""The Zalo fixtures live in fixtures.py, so tests/linking can use them too."""
from .fixtures import fake_zalo, open_world, sleeps, world  # noqa: F401
