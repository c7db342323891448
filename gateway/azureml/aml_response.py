"""`AMLResponse(message, status_code, response_headers, json_str)`: a response built by the script itself.

A plain value (status, case-insensitive headers, body bytes or `Chunks` to stream), not a web framework's
class: the server turns it into its own response, so scoring code and entry scripts never import aiohttp.
"""

from __future__ import annotations

import json
import threading
from typing import Any, Callable, Iterator, Mapping

from multidict import CIMultiDict

__all__ = ("AMLResponse", "Chunks")

#: media types werkzeug gives a charset besides text/* and */*+xml
_TEXTUAL = frozenset({"application/xml", "application/javascript", "application/ecmascript"})


class Chunks:
    """A streamed body: each item of `source` as bytes (str as UTF-8), pulled one `next()` at a time from
    any thread. `close()` closes the source (a generator runs its `finally`), or calls `on_close`, once a
    pull under way has returned; later pulls end the stream."""

    def __init__(self, source: Iterator[Any], on_close: Callable[[], object] | None = None) -> None:
        self._source = source
        self._on_close = on_close if on_close is not None else getattr(source, "close", None)
        self._lock = threading.Lock()
        self._closed = False

    def __iter__(self) -> Chunks:
        return self

    def __next__(self) -> bytes:
        with self._lock:
            if self._closed:
                raise StopIteration
            item = next(self._source)
        if isinstance(item, str):
            return item.encode("utf-8")
        if isinstance(item, (bytes, bytearray, memoryview)):
            return bytes(item)
        raise TypeError(f"a streamed body yielded {type(item).__name__}, not str or bytes")

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if callable(self._on_close):
                self._on_close()


class AMLResponse:
    """Sent as is. `json_str=True` serializes `message` as JSON; otherwise str/bytes are the body (text/html
    unless a Content-Type header is given), and an iterator (a generator) is streamed, each item (str or
    bytes) sent as it comes, as werkzeug streams an iterable response. Header values are kept whole (the
    reference split them on commas)."""

    def __init__(
        self,
        message: Any,
        status_code: int = 200,
        response_headers: Mapping[str, str] | None = None,
        json_str: bool = False,
        run_function_failed: bool = False,
    ) -> None:
        self.chunks: Chunks | None = None
        given = dict(response_headers or {})
        content_type = next((v for k, v in given.items() if k.lower() == "content-type"), None)
        if message is None:
            body, content_type = b"", content_type or "application/json"
        elif json_str:
            body, content_type = json.dumps(message).encode(), content_type or "application/json"
        elif isinstance(message, (bytes, bytearray, memoryview)):
            body = bytes(message)
        elif isinstance(message, Iterator):
            body, self.chunks = b"", Chunks(message)
        else:
            body = str(message).encode("utf-8")
        self.status_code = status_code
        self.body = body
        self.headers: CIMultiDict[str] = CIMultiDict((k, v) for k, v in given.items() if k.lower() != "content-type")
        self.headers["Content-Type"] = content_type or "text/html; charset=utf-8"
        self.headers["x-ms-run-function-failed"] = str(bool(run_function_failed) or status_code >= 500)

    @property
    def content_type(self) -> str:
        """The Content-Type header, settable after construction as on Flask's Response."""
        return self.headers["Content-Type"]

    @content_type.setter
    def content_type(self, value: str) -> None:
        self.headers["Content-Type"] = value

    @property
    def mimetype(self) -> str:
        """The media type without parameters; setting it adds `charset=utf-8` to textual types, as
        werkzeug does (`resp.mimetype = "image/jpg"` in Azure's image examples)."""
        return self.content_type.split(";", 1)[0].strip()

    @mimetype.setter
    def mimetype(self, value: str) -> None:
        textual = value.startswith("text/") or value in _TEXTUAL or value.endswith("+xml")
        self.content_type = f"{value}; charset=utf-8" if textual else value

    @property
    def status(self) -> int:
        """The status code, under the name aiohttp and the HTTP layer use."""
        return self.status_code

    @property
    def data(self) -> bytes:
        """The body, as Flask's `Response.data` (what Azure ML's own AMLResponse is) exposes it; a streamed
        body is read whole first (and no longer streamed), as werkzeug does."""
        if self.chunks is not None:
            chunks, self.chunks = self.chunks, None
            try:
                self.body = b"".join(chunks)
            finally:
                chunks.close()
        return self.body
