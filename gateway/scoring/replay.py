"""Replaying captured traffic: read the capture's records back as requests, and compare each new answer
with the recorded one (status; JSON equal, numbers within a tolerance), difference by JSON path.

Transport-free: the command (`gateway.cli.replay`) sends the requests and prints the summary.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import orjson

from gateway.errors import join_path

__all__ = ("Recorded", "Difference", "Verdict", "VERDICTS", "read_capture", "compare", "judge", "percentile")

#: what a replayed request can be, in the order the summary lists them
VERDICTS = ("same", "changed", "newly failing", "newly passing", "skipped")


@dataclass(frozen=True, slots=True)
class Recorded:
    """One captured request, ready to send again, with what it was answered."""

    line: str  # `file:line`, for the report
    request_id: str
    method: str
    route: str
    query: str
    content_type: str | None
    body: bytes | None  # None: the capture holds no body to send (truncated or streamed)
    status: int
    answer: Any  # the recorded response's JSON value (or text); a marker when the capture did not keep it
    duration_ms: float


@dataclass(frozen=True, slots=True)
class Difference:
    """Where an answer changed: a JSON path, the recorded value and the new one."""

    path: str
    old: Any
    new: Any


@dataclass(slots=True)
class Verdict:
    """A replayed request's outcome."""

    recorded: Recorded
    verdict: str
    status: int | None = None
    duration_ms: float | None = None
    differences: list[Difference] = field(default_factory=list)
    note: str = ""


def _body(field_value: dict[str, Any]) -> bytes | None:
    if "json" in field_value:
        return orjson.dumps(field_value["json"])
    if "text" in field_value:
        return str(field_value["text"]).encode("utf-8")
    if "base64" in field_value:
        return base64.b64decode(field_value["base64"])
    return None


def _answer(field_value: dict[str, Any]) -> Any:
    if "json" in field_value:
        return field_value["json"]
    if "text" in field_value:
        return field_value["text"]
    return _Unknown(field_value)


class _Unknown:
    """A recorded answer the capture did not keep (truncated, streamed, binary): only its status compares."""

    def __init__(self, marker: dict[str, Any]) -> None:
        self.marker = marker


def read_capture(source: Path) -> Iterator[Recorded]:
    """Every scored request of a capture file, or of every `*.jsonl` file of a directory in name order.
    A ValueError names a line that is not a capture record."""
    files = sorted(source.glob("*.jsonl")) if source.is_dir() else [source]
    for path in files:
        with open(path, "rb") as lines:
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    record = orjson.loads(line)
                    if record.get("kind") != "score":
                        continue
                    yield Recorded(
                        f"{path.name}:{number}", str(record["request_id"]), str(record.get("method", "POST")),
                        str(record["route"]), str(record.get("query", "")), record.get("content_type"),
                        _body(record["request"]), int(record["status"]), _answer(record["response"]),
                        float(record.get("duration_ms", 0.0)),
                    )
                except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError, ValueError) as exc:
                    raise ValueError(f"{path}:{number} is not a capture record ({type(exc).__name__}: {exc})") from None


def compare(old: Any, new: Any, *, rtol: float = 0.0, atol: float = 0.0, path: str = "") -> list[Difference]:
    """Every place `new` differs from `old`: objects key by key, arrays element by element (so a records
    table is compared per row and field), numbers within `atol + rtol * |old|`."""
    if isinstance(old, _Unknown):
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        found: list[Difference] = []
        for key in list(old) + [k for k in new if k not in old]:
            where = join_path(path, key)
            if key not in new:
                found.append(Difference(where, old[key], "<absent>"))
            elif key not in old:
                found.append(Difference(where, "<absent>", new[key]))
            else:
                found.extend(compare(old[key], new[key], rtol=rtol, atol=atol, path=where))
        return found
    if isinstance(old, list) and isinstance(new, list):
        if len(old) != len(new):
            return [Difference(path or "$", f"{len(old)} items", f"{len(new)} items")]
        found = []
        for i, (a, b) in enumerate(zip(old, new)):
            found.extend(compare(a, b, rtol=rtol, atol=atol, path=join_path(path, i)))
        return found
    if _number(old) and _number(new):
        if old == new or (math.isfinite(old) and math.isfinite(new) and abs(new - old) <= atol + rtol * abs(old)):
            return []
        return [Difference(path or "$", old, new)]
    return [] if type(old) is type(new) and old == new else [Difference(path or "$", old, new)]


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def judge(recorded: Recorded, status: int, answer: Any, duration_ms: float, *, rtol: float, atol: float) -> Verdict:
    """The verdict on one replayed request, from its new status and answer."""
    was_ok, is_ok = recorded.status < 400, status < 400
    differences = [] if status != recorded.status else compare(recorded.answer, answer, rtol=rtol, atol=atol)
    if status != recorded.status:
        differences = [Difference("status", recorded.status, status)]
    if was_ok and not is_ok:
        verdict = "newly failing"
    elif is_ok and not was_ok:
        verdict = "newly passing"
    else:
        verdict = "changed" if differences else "same"
    return Verdict(recorded, verdict, status, duration_ms, differences)


def percentile(values: list[float], q: float) -> float | None:
    """The `q`-quantile (0..1) of `values` by nearest rank; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]
