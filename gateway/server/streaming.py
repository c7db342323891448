"""A streamed AMLResponse: each chunk pulled in the thread pool and sent as it arrives (chunked encoding).

The chunks come from the script's generator, which may block, so each `next()` runs in a pool thread,
never on the loop. The stream is written in `write_eof`, which aiohttp calls once the middleware has
added its headers and the response is prepared: what a stream sends first is the same header block as
any other answer's. A generator that raises midway is logged and the connection closed without the last
chunk, so the client sees a truncated body rather than a clean end; a client that leaves closes it.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import Executor

from aiohttp import web
from multidict import CIMultiDict

from gateway.azureml.aml_response import Chunks

from .connections import ConnectionWatch

__all__ = ("StreamedResponse",)

log = logging.getLogger("gateway.server")


def _pull(chunks: Chunks) -> bytes:
    """The next non-empty chunk, or b"" at the end (StopIteration does not cross a future; an empty chunk
    would read as the end of a chunked body)."""
    for chunk in chunks:
        if chunk:
            return chunk
    return b""


class StreamedResponse(web.StreamResponse):
    """Sends `chunks` with chunked transfer encoding; the connection counts as busy while it streams."""

    def __init__(
        self,
        chunks: Chunks,
        status: int,
        headers: CIMultiDict[str],
        *,
        executor: Executor | None,
        watch: ConnectionWatch,
        label: str,
    ) -> None:
        framed = CIMultiDict((k, v) for k, v in headers.items() if k.lower() != "content-length")
        super().__init__(status=status, headers=framed)
        self.enable_chunked_encoding()
        self._chunks: Chunks | None = chunks
        self._executor = executor
        self._watch = watch
        self._label = label  # "scorer 'x' (request id y)", for the log

    async def write_eof(self, data: bytes = b"") -> None:
        chunks, self._chunks = self._chunks, None
        if chunks is None:  # streamed already (or a second call)
            await super().write_eof(data)
            return
        request = self._req
        protocol = request.protocol if request is not None else None
        self._watch.started(protocol)
        try:
            if await self._stream(chunks):
                await super().write_eof(data)
            elif protocol is not None:
                self.force_close()
                protocol.force_close()  # what was written is flushed; the last chunk never comes
        finally:
            self._watch.finished(protocol)
            self._close(chunks)

    async def _stream(self, chunks: Chunks) -> bool:
        """True once every chunk is written; False when the generator failed (logged)."""
        loop = asyncio.get_running_loop()
        while True:
            try:
                chunk = await loop.run_in_executor(self._executor, _pull, chunks)
            except Exception:
                log.exception("the streamed body of %s failed midway: the response is cut short", self._label)
                return False
            if not chunk:
                return True
            await self.write(chunk)  # a client that left: ConnectionResetError (or this task is cancelled)

    def _close(self, chunks: Chunks) -> None:
        """Close the source in a pool thread (a generator's `finally` is the script's code), after any pull
        still running there: a cancelled wait does not stop it."""
        try:
            closing = asyncio.get_running_loop().run_in_executor(self._executor, chunks.close)
        except RuntimeError:  # the pool is shut down (the process is stopping)
            log.warning("the streamed body of %s was not closed: the thread pool is shut down", self._label)
            return
        closing.add_done_callback(self._closed)

    def _closed(self, done: asyncio.Future[None]) -> None:
        if not done.cancelled() and done.exception() is not None:
            error = done.exception()
            log.error("closing the streamed body of %s failed", self._label, exc_info=error)
