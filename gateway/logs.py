"""§8 logging: access lines (text or JSON) with request id, scorer, status, duration and rows.

Neither request bodies, query strings nor headers (so no keys) are ever written.
"""

from __future__ import annotations

import json
import logging
import sys
import time

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from .keys import REQUEST_ID, ROWS, SCORER_NAME

__all__ = ("AccessLogger", "JsonFormatter", "configure_logging")


class JsonFormatter(logging.Formatter):
    """One JSON object per line; fields passed with `extra={"fields": {...}}` are merged in."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level: str, log_format: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())


class AccessLogger(AbstractAccessLogger):
    """aiohttp's access logger for the gateway; `log_format` is "text" or "json"."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        fields = {
            "remote": request.remote,
            "method": request.method,
            "path": request.path,
            "status": response.status,
            "duration_ms": round(time * 1000, 3),
            "request_id": request.get(REQUEST_ID, ""),
            "scorer": request.get(SCORER_NAME),
            "rows": request.get(ROWS),
        }
        if self.log_format == "json":
            self.logger.info("access", extra={"fields": fields})
            return
        extra = "".join(f" {k}={fields[k]}" for k in ("scorer", "rows") if fields[k] is not None)
        self.logger.info(
            '%s "%s %s" %s %.3fms id=%s%s',
            fields["remote"], fields["method"], fields["path"], fields["status"], fields["duration_ms"],
            fields["request_id"], extra,
        )
