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
    PLAYING = "playing"
    PREDICT = "predict"
    LINK_CODE = "link_code"
    LINK_CONFIRM = "link_confirm"
    ERASE_CONFIRM = "erase_confirm"


@dataclass(frozen=True, slots=True)
class ChatState:
    step: Step = Step.IDLE
    data: dict[str, Any] = field(default_factory=dict)

    def at(self, step: Step, **data: Any) -> ChatState:
        """The state moved to `step`, keeping collected data and adding `data`."""
        return replace(self, step=step, data={**self.data, **data})

    def idle(self) -> ChatState:
        """Back to the menu; keeps only the start code."""
        keep = {k: v for k, v in self.data.items() if k == "start_code"}
        return ChatState(Step.IDLE, keep)

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
