"""What the bot does in group chats: reading for everyone, attempts and registration only in private.

Which buttons and commands work in a group is the action's own `public` property: rules, tips,
FAQ, leaderboard, language, help and the menu; never personal data, registration or an attempt."""
from __future__ import annotations

from quiz.conversation.engine import COMMANDS

GROUP_CHAT_TYPES = frozenset({"group", "supergroup"})


def is_group(chat_type: str) -> bool:
    return chat_type in GROUP_CHAT_TYPES


def command_name(text: str) -> tuple[str, str | None]:
    """"/thele@cds_bot arg" → ("thele", "cds_bot"); the mention is None when absent."""
    head = text[1:].split(maxsplit=1)[0] if text.startswith("/") and len(text) > 1 else ""
    name, _, mention = head.partition("@")
    return name.lower(), mention or None


def group_command_allowed(name: str) -> bool:
    """/start is not: registration needs the private chat."""
    action = COMMANDS.get(name)
    return action is not None and name != "start" and action.public
