"""`AMLResponse(message, status_code, response_headers, json_str)`: a response built by the script itself."""

from __future__ import annotations

import json
from typing import Any, Mapping

from aiohttp import web

__all__ = ("AMLResponse",)


class AMLResponse(web.Response):
    """Sent as is. `json_str=True` serializes `message` as JSON; otherwise str/bytes are the body (text/html
    unless a Content-Type header is given). Header values are kept whole (the reference split them on commas)."""

    def __init__(
        self,
        message: Any,
        status_code: int = 200,
        response_headers: Mapping[str, str] | None = None,
        json_str: bool = False,
        run_function_failed: bool = False,
    ) -> None:
        headers = dict(response_headers or {})
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
        headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
        if message is None:
            body, content_type = b"", content_type or "application/json"
        elif json_str:
            body, content_type = json.dumps(message).encode(), content_type or "application/json"
        elif isinstance(message, (bytes, bytearray, memoryview)):
            body = bytes(message)
        else:
            body = str(message).encode("utf-8")
        super().__init__(body=body, status=status_code, headers=headers)
        self.headers["Content-Type"] = content_type or "text/html; charset=utf-8"
        self.headers["x-ms-run-function-failed"] = str(bool(run_function_failed) or status_code >= 500)

    @property
    def status_code(self) -> int:
        return self.status
