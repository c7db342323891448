"""Lines tagged with the request they were written for: every log record made while a request is served
(the scorer's `logging` included) carries `request_id` and, with tracing on, `trace_id` and `span_id`;
`print()` there becomes an INFO record of `gateway.print` (as Azure's server sends prints to a logger),
so a user finds their lines for a failed request."""

from __future__ import annotations

import logging
import sys
import threading
from typing import Any, Callable, TextIO

from gateway.scoring.current import CURRENT_REQUEST

__all__ = ("PRINT_LOGGER", "RequestPrints", "install_request_ids", "set_trace_ids")

PRINT_LOGGER = logging.getLogger("gateway.print")

#: the current trace and span ids as hex, when tracing is on (installed by `server.tracing`)
_trace_ids: Callable[[], tuple[str, str] | None] | None = None


def set_trace_ids(source: Callable[[], tuple[str, str] | None] | None) -> None:
    """Where records get their trace and span ids from (None: tracing off, records carry none)."""
    global _trace_ids
    _trace_ids = source


def install_request_ids() -> None:
    """Tag every log record with the request being served (None outside one), and route prints made
    while one is served to `gateway.print`; idempotent."""
    previous = logging.getLogRecordFactory()
    if not getattr(previous, "tags_request_ids", False):

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            record.request_id = CURRENT_REQUEST.get()
            ids = _trace_ids() if _trace_ids is not None else None
            record.trace_id, record.span_id = ids if ids is not None else (None, None)
            return record

        factory.tags_request_ids = True  # type: ignore[attr-defined]
        logging.setLogRecordFactory(factory)
    if not isinstance(sys.stdout, RequestPrints):
        sys.stdout = RequestPrints(sys.stdout)


class RequestPrints:
    """Standard output that passes writes through, except while a request is served: then each line
    printed is a log record (with the request id); a line is complete at its newline, per thread."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._pending = threading.local()

    def write(self, text: str) -> int:
        if CURRENT_REQUEST.get() is None:
            return self.stream.write(text)
        pending: str = getattr(self._pending, "text", "") + text
        *lines, rest = pending.split("\n")
        self._pending.text = rest
        for line in lines:
            PRINT_LOGGER.info(line)
        return len(text)

    def flush(self) -> None:
        rest = getattr(self._pending, "text", "")
        if rest and CURRENT_REQUEST.get() is not None:
            self._pending.text = ""
            PRINT_LOGGER.info(rest)
        self.stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)
