"""What the bot does in group chats: reading for everyone, attempts and registration only in private."""
from __future__ import annotations

from quiz.conversation.engine import COMMANDS

GROUP_CHAT_TYPES = frozenset({"group", "supergroup"})
# Engine actions that show the same public content to anyone in a group.
_GROUP_ACTIONS = frozenset({"m", "m:rules", "m:tips", "m:lb", "m:help", "m:lang"})
_GROUP_PREFIXES = ("rs:", "t:", "f:", "lb:", "l:")


def is_group(chat_type: str) -> bool:
    return chat_type in GROUP_CHAT_TYPES


def allowed_in_group(action: str) -> bool:
    """Rules, tips, FAQ, leaderboard and language; never personal data, registration or an attempt."""
    return action in _GROUP_ACTIONS or action.startswith(_GROUP_PREFIXES)


def command_name(text: str) -> tuple[str, str | None]:
    """"/thele@cds_bot arg" → ("thele", "cds_bot"); the mention is None when absent."""
    head = text[1:].split(maxsplit=1)[0] if text.startswith("/") and len(text) > 1 else ""
    name, _, mention = head.partition("@")
    return name.lower(), mention or None


def group_command_allowed(name: str) -> bool:
    action = COMMANDS.get(name)
    return action is not None and name != "start" and allowed_in_group(action)
