"""YAML reading that keeps line numbers, so that data errors can name `file:line`."""

from __future__ import annotations

from typing import Any

import yaml

from .model import AtlasError


def load(text: str, path: str, first_line: int = 1) -> tuple[Any, dict[int, int]]:
    """Parse YAML; return the data and, for every mapping or sequence item, id(object) -> its line.

    `first_line` shifts the numbers when the YAML sits inside another file (front matter).
    """
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + first_line if mark else first_line
        raise AtlasError(path, line, f"invalid YAML: {getattr(exc, 'problem', exc)}") from None
    finally:
        loader.dispose()
    lines: dict[int, int] = {}
    if node is not None:
        _collect(node, data, lines, first_line)
    return data, lines


def _collect(node: yaml.Node, obj: Any, lines: dict[int, int], first_line: int) -> None:
    if isinstance(node, yaml.SequenceNode) and isinstance(obj, list):
        for child, item in zip(node.value, obj):
            lines[id(item)] = child.start_mark.line + first_line
            _collect(child, item, lines, first_line)
    elif isinstance(node, yaml.MappingNode) and isinstance(obj, dict):
        for key_node, value_node in node.value:
            value = obj.get(key_node.value)
            if isinstance(value, (list, dict)):
                lines[id(value)] = key_node.start_mark.line + first_line
                _collect(value_node, value, lines, first_line)


def require(item: Any, key: str, kind: type, path: str, line: int | None) -> Any:
    """A required field of a mapping, of the given type, or a clear error."""
    if not isinstance(item, dict):
        raise AtlasError(path, line, f"expected a mapping with `{key}`, found {type(item).__name__}")
    value = item.get(key)
    if not isinstance(value, kind) or (isinstance(value, str) and not value.strip()):
        raise AtlasError(path, line, f"`{key}` is missing or not a {kind.__name__}")
    return value
