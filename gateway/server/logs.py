"""Logging: access lines (text or JSON) with request id, scorer, status, duration and rows.

Neither request bodies, query strings nor headers (so no keys) are ever written: aiohttp's own records
of malformed requests, whose exceptions quote the raw request line or header, are cut to the exception's
class and status. Text lines cannot be forged: control characters in any field are escaped (`\x0a`),
and the lines of a traceback are indented, so every line that starts at the margin is a record.
"""

from __future__ import annotations

import atexit
import json
import logging
import sys
import threading
import time
import traceback
from typing import Any

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.http_exceptions import HttpProcessingError

from .keys import REQUEST_ID, ROWS, SCORER_NAME, STARTED
from .request_logs import install_request_ids

__all__ = (
    "AccessLogger", "BufferedStreamHandler", "JsonFormatter", "TextFormatter", "RedactRequests", "configure_logging",
    "escape",
)

#: every C0 and C1 control character and the Unicode line separators, as `\xNN` / `\uNNNN`
_CONTROLS = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))} | {0x2028: "\\u2028", 0x2029: "\\u2029"}


def escape(text: str) -> str:
    """`text` on one line: control characters written as escapes, so no field can start a fake record."""
    return text if text.isprintable() else text.translate(_CONTROLS)  # isprintable: 10x cheaper, most lines


class TextFormatter(logging.Formatter):
    """`2026-11-25 02:09:38,123 INFO gateway.server: message` lines; `line()` writes the same without a record."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self._second = -1
        self._stamp = ""

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = escape(record.message)
        request_id = getattr(record, "request_id", None)
        if request_id is not None:  # a line written while serving this request (`request_logs`)
            trace_id = getattr(record, "trace_id", None)
            traced = f" trace_id={trace_id} span_id={getattr(record, 'span_id', '')}" if trace_id else ""
            record.message = f"id={escape(request_id)}{traced} {record.message}"
        return super().formatMessage(record)

    def formatException(self, ei: Any) -> str:
        return "\n".join("    " + escape(line) for line in super().formatException(ei).splitlines())

    def formatStack(self, stack_info: str) -> str:
        return "\n".join("    " + escape(line) for line in stack_info.splitlines())

    def line(self, created: float, level: str, name: str, message: str, fields: dict[str, Any]) -> str:
        """The line `format()` would make of a record with these values (no exception, `fields` unused)."""
        message = escape(message)
        second = int(created)
        if second != self._second:  # strftime once a second, not once a line
            self._stamp = time.strftime(self.default_time_format, self.converter(created))
            self._second = second
        return f"{self._stamp},{int((created - second) * 1000):03d} {level} {name}: {message}"


class JsonFormatter(logging.Formatter):
    """One JSON object per line; fields passed with `extra={"fields": {...}}` are merged in."""

    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "fields", {})
        request_id = getattr(record, "request_id", None)
        if request_id is not None:  # a line written while serving this request (`request_logs`)
            fields = {**fields, "request_id": request_id}
            if getattr(record, "trace_id", None):
                fields |= {"trace_id": getattr(record, "trace_id"), "span_id": getattr(record, "span_id", None)}
        entry = self._entry(record.created, record.levelname, record.name, record.getMessage(), fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)

    def line(self, created: float, level: str, name: str, message: str, fields: dict[str, Any]) -> str:
        """The line `format()` would make of a record with these values and no exception."""
        return json.dumps(self._entry(created, level, name, message, fields), default=str)

    @staticmethod
    def _entry(created: float, level: str, name: str, message: str, fields: dict[str, Any]) -> dict[str, Any]:
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(created)) + f".{int((created - int(created)) * 1000):03d}Z",
            "level": level,
            "logger": name,
            "message": message,
        }
        entry.update(fields)
        return entry


class BufferedStreamHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Log lines through a block buffer: written out every `interval` seconds by a daemon thread, at once
    for warnings and worse, and at exit. A line-buffered stream makes one write system call per access
    line, which cost a 1-row request 60 µs (a quarter of its time) when stderr was a file."""

    def __init__(self, fd: int, interval: float = 0.2) -> None:
        stream = open(fd, "w", buffering=1 << 16, encoding="utf-8", errors="backslashreplace", closefd=False)
        super().__init__(stream)
        self.interval = interval
        threading.Thread(target=self._flush_every_interval, name="gateway-log-flush", daemon=True).start()
        atexit.register(self.flush)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.stream.write(self.format(record) + self.terminator)
            if record.levelno >= logging.WARNING:
                self.flush()
        except RecursionError:
            raise
        except Exception:
            self.handleError(record)

    def write_line(self, line: str) -> None:
        """Append one INFO line made by the formatter's `line()` (see `AccessLogger`)."""
        with self.lock:  # type: ignore[union-attr]
            self.stream.write(line + self.terminator)

    def _flush_every_interval(self) -> None:
        while True:
            time.sleep(self.interval)
            self.flush()


class RedactRequests(logging.Filter):
    """On aiohttp's loggers: a malformed request's exception (its message quotes the raw request line or
    header: a query string, an API key) is logged as its class and status only, without a traceback; any
    other exception keeps its traceback but not its message."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.exc_info or record.exc_info[1] is None:
            return True
        exc = record.exc_info[1]
        if isinstance(exc, HttpProcessingError):
            record.msg = f"{record.getMessage()}: {type(exc).__name__} ({exc.code}; the request is not quoted)"
            record.args = ()
            record.exc_info = record.exc_text = None
            return True
        frames = "".join(traceback.format_tb(exc.__traceback__))
        record.exc_info = None
        record.exc_text = f"Traceback (most recent call last):\n{frames}{type(exc).__name__} (message not logged: it may quote the request)"
        return True


#: the loggers aiohttp writes request errors to
AIOHTTP_LOGGERS = ("aiohttp.server", "aiohttp.web", "aiohttp.internal")  # not aiohttp.access: our own lines


def configure_logging(level: str, log_format: str) -> None:
    """The root logger writes to stderr (buffered, see `BufferedStreamHandler`) as text or JSON lines;
    aiohttp's request errors go through `RedactRequests`; the scorer's lines carry their request id."""
    sys.stderr.flush()
    handler = BufferedStreamHandler(sys.stderr.fileno())
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    install_request_ids()
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in AIOHTTP_LOGGERS:
        aiohttp_logger = logging.getLogger(name)
        if not any(isinstance(f, RedactRequests) for f in aiohttp_logger.filters):
            aiohttp_logger.addFilter(RedactRequests())


class AccessLogger(AbstractAccessLogger):
    """aiohttp's access logger for the gateway; `log_format` is "text" or "json".

    One line per request, so it is built directly: when the only place a record would go is the
    gateway's own handler (the logging `configure_logging` set up, untouched), the formatter writes the
    line straight into that handler's buffer, with no LogRecord (15 µs of a request); any other logging
    setup gets a record through `Logger.handle`, filters and handlers as usual.
    """

    def log(self, request: web.BaseRequest, response: web.StreamResponse, duration: float) -> None:
        logger = self.logger
        if not logger.isEnabledFor(logging.INFO):
            return
        scorer, rows = request.get(SCORER_NAME), request.get(ROWS)
        started = request.get(STARTED)
        if started is not None:  # aiohttp's duration is loop.time(), in whole milliseconds on uvloop
            duration = time.perf_counter() - started
        fields: dict[str, Any] = {}
        if self.log_format == "json":
            message = "access"
            fields = {
                "remote": request.remote,
                "method": request.method,
                "path": request.path,
                "status": response.status,
                "duration_ms": round(duration * 1000, 3),
                "request_id": request.get(REQUEST_ID, ""),
                "scorer": scorer,
                "rows": rows,
            }
        else:
            extra = (f" scorer={scorer}" if scorer is not None else "") + (f" rows={rows}" if rows is not None else "")
            message = (
                f'{request.remote} "{request.method} {request.path}" {response.status} {duration * 1000:.3f}ms '
                f"id={request.get(REQUEST_ID, '')}{extra}"
            )
        handler = direct_handler(logger)
        if handler is not None:
            formatter: TextFormatter | JsonFormatter = handler.formatter  # type: ignore[assignment]
            handler.write_line(formatter.line(time.time(), "INFO", logger.name, message, fields))
            return
        extra_fields = {"fields": fields} if fields else None
        logger.handle(logger.makeRecord(logger.name, logging.INFO, "", 0, message, (), None, extra=extra_fields))


def direct_handler(logger: logging.Logger) -> BufferedStreamHandler | None:
    """The gateway's handler when an INFO record of `logger` would reach it alone, unfiltered, formatted by
    one of the gateway's formatters; None for any other logging setup (a scorer's own handlers, filters)."""
    root = logging.root
    handlers = root.handlers
    if len(handlers) != 1 or root.filters:
        return None
    handler = handlers[0]
    if type(handler) is not BufferedStreamHandler or handler.filters or handler.level > logging.INFO:
        return None
    if type(handler.formatter) not in (TextFormatter, JsonFormatter):
        return None
    node: logging.Logger | None = logger
    while node is not None and node is not root:
        if node.handlers or node.filters or not node.propagate or node.disabled:
            return None
        node = node.parent
    return handler
