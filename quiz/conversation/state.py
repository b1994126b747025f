"""Per-account conversation state: the step and what the flow collected so far."""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any


class Step(StrEnum):
    """Where a conversation stands; the value is what the state store keeps."""

    IDLE = "idle"
    CONSENT = "consent"
    REG_NAME = "reg_name"
    REG_YEAR = "reg_year"
    REG_PHONE = "reg_phone"
    REG_UNIT = "reg_unit"
    REG_CONFIRM = "reg_confirm"
    REG_GUARDIAN_NAME = "reg_guardian_name"  # someone who may be under 16: their parent's or guardian's name …
    REG_GUARDIAN_PHONE = "reg_guardian_phone"  # … and number …
    REG_GUARDIAN_CODE = "reg_guardian_code"  # … proven by the code sent to it (with an SMS gateway) …
    REG_GUARDIAN_OK = "reg_guardian_ok"  # … or agreed by the guardian pressing at the citizen's phone
    REG_CODE = "reg_code"  # the citizen's own number, proven by a code (the web chat, with an SMS gateway)
    RECOVER_PHONE = "recover_phone"  # a registration carried on in a new browser: its number …
    RECOVER_CODE = "recover_code"  # … and the code sent to it
    PROVE_PHONE = "prove_phone"  # a registered number typed at registration, proven later by the platform …
    PROVE_CODE = "prove_code"  # … or by a code sent to it (the web chat, with an SMS gateway) …
    PROVE_REPLACE = "prove_replace"  # … or replaced by the other number the platform shared, once confirmed,
    PROVE_NEW = "prove_new"  # … or by another number typed in the web chat (then proven by a code, PROVE_CODE)
    WITHDRAW_CONFIRM = "withdraw_confirm"
    PLAYING = "playing"
    PREDICT = "predict"
    LINK_CODE = "link_code"
    LINK_CONFIRM = "link_confirm"
    ERASE_CONFIRM = "erase_confirm"


# Steps whose screen asks for the citizen's own number with the platform's share button (a keyboard that
# stays until taken away): leaving one takes it away (Outcome.closes_contact).
ASKS_CONTACT = frozenset({Step.REG_PHONE, Step.PROVE_PHONE})


@dataclass(frozen=True, slots=True)
class ChatState:
    step: Step = Step.IDLE
    data: dict[str, Any] = field(default_factory=dict)

    def at(self, step: Step, **data: Any) -> ChatState:
        """The state moved to `step`, keeping collected data and adding `data`."""
        return replace(self, step=step, data={**self.data, **data})

    def idle(self) -> ChatState:
        """Back to the menu; keeps only the start code and what reading remembers (the tips shown)."""
        return ChatState(Step.IDLE, self.memory())

    def memory(self) -> dict[str, Any]:
        """What outlives every flow: the start code a link carried, and where the tips have got to."""
        return {k: v for k, v in self.data.items() if k in _KEPT or k.startswith(TIPS)}

    def remembering(self, other: ChatState) -> ChatState:
        """This state, with what reading remembered in `other` (a group chat reads without moving the flow)."""
        return replace(self, data={**self.data, **{k: v for k, v in other.data.items() if k.startswith(TIPS)}})

    def dumps(self) -> str:
        return json.dumps({"step": self.step.value, "data": self.data}, ensure_ascii=False)

    @classmethod
    def loads(cls, text: str | None) -> ChatState:
        """The stored state; a step this version does not know (older or newer code wrote it) is idle."""
        if not text:
            return cls()
        try:
            raw = json.loads(text)
            step, data = str(raw["step"]), dict(raw["data"])
        except (ValueError, KeyError, TypeError):
            return cls()
        return cls(_STEPS.get(step, Step.IDLE), data)


_STEPS = {step.value: step for step in Step}
_KEPT = frozenset({"start_code"})
TIPS = "tips"  # data keys "tips" and "tips:<topic>": how many tips of that pool this chat has been shown
