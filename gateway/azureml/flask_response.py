"""A `flask.Response` (werkzeug's `Response`) returned by `run()`, as the gateway's `AMLResponse` value.

Azure ML's server is a Flask app and sends such a response as it is; scripts import `flask` because it is
installed in every Azure ML environment. Recognised without importing flask: no value can be a werkzeug
response unless `werkzeug.wrappers` was imported already.
"""

from __future__ import annotations

import sys
from typing import Any

from multidict import CIMultiDict

from .aml_response import AMLResponse, Chunks

__all__ = ("from_werkzeug",)

#: how the body was framed for werkzeug's server: the gateway's server frames it anew
_FRAMING = frozenset({"content-length", "transfer-encoding"})


def from_werkzeug(value: Any) -> AMLResponse | None:
    """The AMLResponse that sends `value` (its status, every header line, its body), or None when `value`
    is not a werkzeug response. A streamed one (`is_streamed`: an iterable without a length) streams."""
    wrappers = sys.modules.get("werkzeug.wrappers")
    kind: Any = getattr(wrappers, "Response", None)  # Any: werkzeug is not imported for its types
    if kind is None or not isinstance(value, kind):
        return None
    status = int(value.status_code)
    response = AMLResponse(b"", status)
    response.headers = CIMultiDict((k, v) for k, v in value.headers.items() if k.lower() not in _FRAMING)
    response.headers["x-ms-run-function-failed"] = str(status >= 500)
    if value.is_streamed:
        response.chunks = Chunks(iter(value.response), value.close)
    else:
        try:
            response.body = value.get_data()
        finally:
            value.close()  # its call_on_close callbacks, as werkzeug's server calls them once sent
    return response
