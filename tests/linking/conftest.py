"""The Zalo world (fake Zalo servers, the webhook on the app) for linking a Zalo account."""
from zalo.fixtures import fake_zalo, open_world, sleeps  # noqa: F401
