"""Power Query (M) literal syntax: text and record-field literals, scalars, lists, safe comments."""

from __future__ import annotations

import math
import re
from typing import Any, Iterable

__all__ = ("KEYWORDS", "TYPE_WORDS", "m_text", "m_field", "m_literal", "m_list", "comment")

KEYWORDS = frozenset(
    "and as each else error false if in is let meta not null or otherwise section shared then true try type".split()
)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
#: how Power Query's own UI names an M type, for the function's documentation
TYPE_WORDS = {
    "Int64.Type": "whole number",
    "type number": "number",
    "type logical": "true/false",
    "type text": "text",
    "type any": "any",
}


def m_text(value: str) -> str:
    """A Power Query text literal: quotes doubled, `#(` and control characters escaped."""
    out = []
    for char in value:
        if char == '"':
            out.append('""')
        elif char == "#":
            out.append("#(#)")
        elif char == "\r":
            out.append("#(cr)")
        elif char == "\n":
            out.append("#(lf)")
        elif char == "\t":
            out.append("#(tab)")
        elif ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0:
            out.append(f"#({ord(char):04X})")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def m_field(name: str) -> str:
    """A record field name: bare when it is a plain identifier, else quoted (`#"Random seed"`)."""
    if _IDENTIFIER.match(name) and name not in KEYWORDS:
        return name
    return "#" + m_text(name)


def m_literal(value: Any) -> str:
    """A JSON scalar as an M literal (for enum and sample values)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "#nan"
        if math.isinf(value):
            return "#infinity" if value > 0 else "-#infinity"
        return repr(value)
    return m_text(str(value))


def m_list(items: Iterable[str]) -> str:
    return "{" + ", ".join(items) + "}"


def comment(text: str) -> str:
    """Text that cannot leave the `//` comment it is put in."""
    return re.sub(r"[\r\n\u2028\u2029\x85]+", " ", text)
