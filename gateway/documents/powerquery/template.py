"""The M function's text, with `__PLACEHOLDER__`s the renderer fills: package data (`function.pq`)."""

from __future__ import annotations

import re
from importlib.resources import files
from typing import Mapping

__all__ = ("TEMPLATE", "RESERVED", "fill")

TEMPLATE = files(__package__).joinpath("function.pq").read_text(encoding="utf-8")


def _template_names() -> frozenset[str]:
    """Every identifier the template's code uses (comments and text literals left out), which an
    argument's M name must not shadow."""
    code = re.sub(r"//[^\n]*", "", TEMPLATE)
    code = re.sub(r'"(?:[^"]|"")*"', '""', code)
    return frozenset(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", code)) | {"table", "apiKey", "rows", "Given"}


RESERVED = _template_names()


def fill(replacements: Mapping[str, str]) -> str:
    """The template with every placeholder replaced in one pass (longest first)."""
    pattern = re.compile("|".join(re.escape(k) for k in sorted(replacements, key=len, reverse=True)))
    return pattern.sub(lambda match: replacements[match.group(0)], TEMPLATE)
