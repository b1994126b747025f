"""The dashboard's test server and signed-in visitors, shared with tests/admin."""
from admin.conftest import administrator, organiser, server, visitor  # noqa: F401
