"""Traffic capture: one JSON line per scored request, written by a thread off the request path into
hourly files rotated by size. Captured bodies are user data; headers are never captured (so neither
keys nor auth), only the request's content type.

    capture = Capture(Path("captures"), sample=1.0, max_body=65536)
    capture.record(Exchange(...))      # from the server, after the answer
    capture.close()                    # at shutdown: every queued record written
"""

from __future__ import annotations

import base64
import hashlib
import os
import queue
import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson

from gateway.azureml.collector import Collected

from .current import CURRENT_REQUEST

__all__ = ("Capture", "Exchange", "ROTATE_BYTES", "body_field")

#: a capture file is closed and the next one opened past this size (within the same hour)
ROTATE_BYTES = 64 * 1024 * 1024
_STOP = object()


@dataclass(slots=True)
class Exchange:
    """One scored request and its answer, as the server saw them."""

    scorer: str
    route: str
    request_id: str
    status: int
    duration_ms: float
    request_body: bytes
    response_body: bytes | None
    content_type: str | None = None
    method: str = "POST"
    query: str = ""
    rows: int | None = None
    trace_id: str | None = None
    request_json: bool = False  # the body is JSON the gateway decoded: embedded as it is, never parsed again
    response_json: bool = False  # the body is JSON the gateway wrote: likewise
    time: float = field(default_factory=time.time)


def body_field(body: bytes | None, max_body: int, known_json: bool = False) -> dict[str, Any]:
    """A body as a capture holds it: JSON the gateway itself decoded or wrote (`known_json`) embedded as it
    is, other bodies as text, else base64; past `max_body` bytes only its size and SHA-256 (a truncation
    marker: such a request cannot be replayed). Nothing is parsed again: a capture costs its copy and write."""
    if body is None:
        return {"streamed": True}
    if len(body) > max_body:
        return {"truncated": True, "bytes": len(body), "sha256": hashlib.sha256(body).hexdigest()}
    if known_json and body:
        return {"json": orjson.Fragment(body)}
    try:
        return {"text": body.decode("utf-8")}
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(body).decode("ascii")}


class Capture:
    """The capture of one process: `record` queues (never blocks on the disk); a daemon thread writes."""

    def __init__(self, directory: Path, *, sample: float = 1.0, max_body: int = 64 * 1024, rotate: int = ROTATE_BYTES) -> None:
        if not 0.0 <= sample <= 1.0:
            raise ValueError(f"the capture sample rate must be between 0 and 1, got {sample}")
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.sample = sample
        self.max_body = max_body
        self.rotate = rotate
        self.written = 0
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._file: IO[bytes] | None = None
        self._name = ""
        self._thread = threading.Thread(target=self._write_all, name="gateway-capture", daemon=True)
        self._thread.start()

    def sampled(self) -> bool:
        """Whether the next request is to be captured (decided before its record is built)."""
        return self.sample >= 1.0 or random.random() < self.sample

    def record(self, exchange: Exchange) -> None:
        """Queue one scored request's line."""
        self._queue.put(exchange)

    def collected(self, item: Collected) -> None:
        """Queue one model data collection record (the `azureml.ai.monitoring.Collector` sink); the data is
        serialized by the writer, off the request path."""
        self._queue.put({"kind": "collector", "time": _iso(time.time()), "collector": item.name,
                         "correlation_id": item.context.get_id(), "request_id": CURRENT_REQUEST.get(), "data": item.data})

    def close(self) -> None:
        """Write out what is queued and stop the writer."""
        self._queue.put(_STOP)
        self._thread.join(timeout=30)

    def _line(self, item: Any) -> bytes:
        if isinstance(item, Exchange):
            item = {
                "kind": "score", "time": _iso(item.time), "scorer": item.scorer, "route": item.route,
                "method": item.method, "query": item.query, "request_id": item.request_id,
                "trace_id": item.trace_id, "status": item.status, "duration_ms": round(item.duration_ms, 3),
                "rows": item.rows, "content_type": item.content_type,
                "request": body_field(item.request_body, self.max_body, item.request_json),
                "response": body_field(item.response_body, self.max_body, item.response_json),
            }
        return orjson.dumps(item, option=orjson.OPT_SERIALIZE_NUMPY, default=_fallback) + b"\n"

    def _write_all(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                break
            try:
                line = self._line(item)
                self._target(len(line)).write(line)
                self.written += 1
            except Exception:  # noqa: BLE001 - a record that cannot be written must not stop the others
                continue
            if self._queue.empty() and self._file is not None:
                self._file.flush()
        if self._file is not None:
            self._file.close()

    def _target(self, size: int) -> IO[bytes]:
        """The open file for the current hour, a new one past `rotate` bytes."""
        hour = time.strftime("%Y%m%d-%H", time.gmtime())
        current = self._file
        if current is not None and self._name.startswith(hour) and current.tell() + size <= self.rotate:
            return current
        if current is not None:
            current.close()
        part = 0
        while (self.directory / f"capture-{hour}.{part:03d}.jsonl").exists():
            part += 1
        self._name = f"{hour}.{part:03d}"
        self._file = open(self.directory / f"capture-{self._name}.jsonl", "ab")
        os.chmod(self._file.name, 0o600)  # user data: readable by the gateway's user only
        return self._file


def _iso(moment: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(moment)) + f".{int((moment % 1) * 1000):03d}Z"


def _fallback(value: Any) -> Any:
    """What a collected object becomes in JSON: a DataFrame its records, anything else its text."""
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        try:
            return to_dict(orient="records")
        except TypeError:
            return to_dict()
    return str(value)
