"""A request body read within the body limit, and inflated off the event loop when it is compressed.

The gateway's server hands bodies over as sent (aiohttp's `auto_decompress=False`, see
`app.SERVER_OPTIONS`): a gzip or deflate body is read compressed, at most `limit` bytes, then inflated in a
worker thread in slices, the limit applied to the inflated size, so a 100 KiB body that would inflate
to gigabytes costs neither the loop's time nor more than `limit` bytes of memory (413 as soon as it
passes). A corrupt stream is a 400. Under a server that inflates bodies itself, the body is taken as
aiohttp gives it.
"""

from __future__ import annotations

import asyncio
import zlib

from aiohttp import StreamReader, web

from gateway.errors import (
    EnvelopeError,
    PayloadTooLarge,
    RequestTimeout,
    UnsupportedMediaType,
)

__all__ = ("ENCODINGS", "read_body", "inflate")

#: Content-Encoding → zlib's wbits (gzip with its header; deflate as zlib data, raw deflate tried too)
ENCODINGS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}
#: Inflated bytes produced per zlib call: the check against the limit happens at least this often.
SLICE = 1 << 20


async def read_body(request: web.Request, limit: int, timeout: float) -> bytes:
    """The body as `run()` should see it: read within `timeout` seconds (408 otherwise) and `limit` bytes
    (413), and inflated when encoded."""
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(f"request body of {request.content_length} bytes exceeds the limit of {limit} bytes")
    content = request.content
    if content.is_eof():  # it came whole with the headers (a small body): nothing to wait for
        body = content.read_nowait()
        if len(body) > limit:
            raise PayloadTooLarge(f"request body exceeds the limit of {limit} bytes")
    else:
        body = await _receive(content, limit, timeout)
    encoding = request.headers.get("Content-Encoding", "").strip().lower()
    if encoding in ("", "identity") or getattr(request.content, "total_compressed_bytes", None) is not None:
        return body  # not encoded, or aiohttp already inflated it (a server run with auto_decompress)
    if encoding not in ENCODINGS:
        raise UnsupportedMediaType(f"Content-Encoding '{encoding}' is not supported; send gzip, deflate or none")
    return await asyncio.get_running_loop().run_in_executor(None, inflate, body, encoding, limit)


async def _receive(content: StreamReader, limit: int, timeout: float) -> bytes:
    """A body still arriving: gathered within `timeout` seconds (408) and `limit` bytes (413)."""
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(timeout):
            async for chunk in content.iter_any():
                size += len(chunk)
                if size > limit:
                    raise PayloadTooLarge(f"request body exceeds the limit of {limit} bytes")
                chunks.append(chunk)
    except TimeoutError:
        raise RequestTimeout(f"the request body did not arrive within {timeout:g} s ({size} bytes came)") from None
    return b"".join(chunks)


def inflate(data: bytes, encoding: str, limit: int) -> bytes:
    """`data` inflated, in slices of `SLICE` bytes; PayloadTooLarge past `limit`, EnvelopeError if corrupt."""
    wbits = ENCODINGS[encoding]
    if encoding == "deflate" and data[:1] and data[0] & 0x0F != 8:
        wbits = -zlib.MAX_WBITS  # raw deflate without the zlib header, as some clients send it
    out: list[bytes] = []
    size = 0
    pending = data
    try:
        while pending:  # one pass per gzip member
            stream = zlib.decompressobj(wbits)
            while pending and not stream.eof:
                piece = stream.decompress(pending, SLICE)
                size += len(piece)
                if size > limit:
                    raise PayloadTooLarge(f"request body inflates past the limit of {limit} bytes")
                out.append(piece)
                pending = stream.unconsumed_tail
            if not stream.eof:
                raise EnvelopeError(f"the {encoding} body is truncated")
            pending = stream.unused_data
    except zlib.error as exc:
        raise EnvelopeError(f"the body is not valid {encoding} data: {exc}") from None
    return b"".join(out)
