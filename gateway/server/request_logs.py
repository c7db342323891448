"""The scorer's own lines tagged with the request they were written for: every log record made while
a `run()` executes carries `request_id`, and `print()` there becomes an INFO record of `gateway.print`
(as Azure's server sends prints to a logger), so a user finds their lines for a failed request."""

from __future__ import annotations

import logging
import sys
import threading
from typing import Any, TextIO

from gateway.scoring.current import CURRENT_REQUEST

__all__ = ("PRINT_LOGGER", "RequestPrints", "install_request_ids")

PRINT_LOGGER = logging.getLogger("gateway.print")


def install_request_ids() -> None:
    """Tag every log record with the request being scored (None outside `run()`), and route prints made
    inside `run()` to `gateway.print`; idempotent."""
    previous = logging.getLogRecordFactory()
    if not getattr(previous, "tags_request_ids", False):

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            record.request_id = CURRENT_REQUEST.get()
            return record

        factory.tags_request_ids = True  # type: ignore[attr-defined]
        logging.setLogRecordFactory(factory)
    if not isinstance(sys.stdout, RequestPrints):
        sys.stdout = RequestPrints(sys.stdout)


class RequestPrints:
    """Standard output that passes writes through, except inside `run()`: there each line printed is a
    log record (with the request id); a line is complete at its newline, per thread."""

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
