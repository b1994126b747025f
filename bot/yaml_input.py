"""YAML from outside (an uploaded question file, a contest pack) read safely: no anchors and aliases,
which such files never need and "billion laughs" bombs do, and no integer longer than a column holds.
"0x" and six thousand "f"s is a valid YAML integer of 7,000 digits, past what str() may print."""
from __future__ import annotations

from typing import Any

import yaml

MAX_INT = 10**18  # any count, year, id or population fits; a bigger number is a mistake in the file


class SafeYaml(yaml.SafeLoader):
    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            mark: Any = self.peek_event().start_mark  # type: ignore[no-untyped-call]  # untyped in PyYAML's stubs
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed", mark)
        return super().compose_node(parent, index)


def _bounded_int(loader: SafeYaml, node: yaml.ScalarNode) -> int:
    value: int = loader.construct_yaml_int(node)
    if abs(value) >= MAX_INT:
        raise yaml.constructor.ConstructorError(None, None, "a number too large for any field", node.start_mark)
    return value


SafeYaml.add_constructor("tag:yaml.org,2002:int", _bounded_int)


def load(text: str) -> Any:
    """The YAML document in `text`; yaml.YAMLError (or ValueError) for anything this service will not read."""
    return yaml.load(text, Loader=SafeYaml)
