"""Per-account conversation state: the step and what the flow collected so far."""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True, slots=True)
class ChatState:
    step: str = "idle"
    data: dict[str, Any] = field(default_factory=dict)

    def at(self, step: str, **data: Any) -> ChatState:
        """The state moved to `step`, keeping collected data and adding `data`."""
        return replace(self, step=step, data={**self.data, **data})

    def idle(self) -> ChatState:
        """Back to the menu; keeps only the start code."""
        keep = {k: v for k, v in self.data.items() if k == "start_code"}
        return ChatState("idle", keep)

    def dumps(self) -> str:
        return json.dumps({"step": self.step, "data": self.data}, ensure_ascii=False)

    @classmethod
    def loads(cls, text: str | None) -> ChatState:
        if not text:
            return cls()
        try:
            raw = json.loads(text)
            return cls(str(raw["step"]), dict(raw["data"]))
        except (ValueError, KeyError, TypeError):
            return cls()
