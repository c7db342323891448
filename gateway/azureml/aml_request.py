"""`AMLRequest` and `@rawhttp`: run() receives the whole HTTP request, as under Azure ML (Flask-like API).

The body is already read when run() is called, so every accessor is synchronous; form fields and
multipart files are parsed on first access only.
"""

from __future__ import annotations

import email.parser
import email.policy
import io
import json
import shutil
import urllib.parse
from typing import Any, Callable, Iterable, Iterator, Mapping, TypeVar

from multidict import CIMultiDict, CIMultiDictProxy

__all__ = ("AMLRequest", "FileStorage", "MultiDict", "rawhttp", "RAWHTTP_ATTR", "is_rawhttp")

RAWHTTP_ATTR = "__gateway_rawhttp__"

F = TypeVar("F", bound=Callable[..., Any])


def rawhttp(fn: F) -> F:
    """Mark run() as taking the whole request (an AMLRequest) instead of parsed parameters."""
    setattr(fn, RAWHTTP_ATTR, True)
    return fn


def is_rawhttp(fn: Callable[..., Any]) -> bool:
    return bool(getattr(fn, RAWHTTP_ATTR, False))


class MultiDict(dict):  # type: ignore[type-arg]
    """Werkzeug's MultiDict subset that scripts use: `d[k]` is the first value, `getlist`, `to_dict`."""

    def __init__(self, pairs: Iterable[tuple[str, Any]] = ()) -> None:
        super().__init__()
        for key, value in pairs:
            super().setdefault(key, []).append(value)

    def __getitem__(self, key: str) -> Any:
        return super().__getitem__(key)[0]

    def get(self, key: str, default: Any = None, type: Callable[[Any], Any] | None = None) -> Any:  # noqa: A002
        if key not in self:
            return default
        value = self[key]
        if type is None:
            return value
        try:
            return type(value)
        except (ValueError, TypeError):
            return default

    def getlist(self, key: str) -> list[Any]:
        return list(super().get(key, []))

    def items(self, multi: bool = False) -> Iterator[tuple[str, Any]]:  # type: ignore[override]
        for key, values in super().items():
            if multi:
                yield from ((key, value) for value in values)
            else:
                yield key, values[0]

    def values(self) -> Iterator[Any]:  # type: ignore[override]
        return (values[0] for values in super().values())

    def to_dict(self, flat: bool = True) -> dict[str, Any]:
        return {key: (values[0] if flat else list(values)) for key, values in super().items()}


class FileStorage(io.BytesIO):
    """An uploaded file: readable and seekable (so `PIL.Image.open(request.files["image"])` works)."""

    def __init__(self, data: bytes, filename: str | None, name: str, content_type: str | None) -> None:
        super().__init__(data)
        self.filename = filename
        self.name = name
        self.content_type = content_type
        self.mimetype = (content_type or "").split(";")[0].strip() or None

    @property
    def stream(self) -> "FileStorage":
        return self

    def save(self, destination: Any) -> None:
        self.seek(0)
        if hasattr(destination, "write"):
            shutil.copyfileobj(self, destination)
        else:
            with open(destination, "wb") as handle:
                shutil.copyfileobj(self, handle)

    def __repr__(self) -> str:
        return f"<FileStorage: {self.filename!r} ({self.content_type!r})>"


class AMLRequest:
    """The HTTP request as Azure ML scripts see it."""

    def __init__(
        self,
        method: str,
        path: str,
        query_string: str,
        headers: Mapping[str, str],
        body: bytes,
        scheme: str = "http",
        host: str = "localhost",
        remote_addr: str | None = None,
    ) -> None:
        self.method = method
        self.path = path
        self.query_string = query_string.encode()
        self.headers = CIMultiDictProxy(CIMultiDict(headers))
        self.scheme = scheme
        self.host = host
        self.remote_addr = remote_addr
        self._body = body
        self._form: tuple[MultiDict, MultiDict] | None = None

    def __repr__(self) -> str:
        return f"<AMLRequest '{self.url}' [{self.method}]>"

    @property
    def full_path(self) -> str:
        return f"{self.path}?{self.query_string.decode()}"

    @property
    def url(self) -> str:
        return f"{self.base_url}?{self.query_string.decode()}" if self.query_string else self.base_url

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.host}{self.path}"

    @property
    def args(self) -> MultiDict:
        return MultiDict(urllib.parse.parse_qsl(self.query_string.decode(), keep_blank_values=True))

    @property
    def content_type(self) -> str | None:
        return self.headers.get("Content-Type")

    @property
    def mimetype(self) -> str:
        return (self.content_type or "").split(";")[0].strip().lower()

    @property
    def content_length(self) -> int | None:
        raw = self.headers.get("Content-Length")
        return int(raw) if raw and raw.isdigit() else (len(self._body) if self._body else None)

    def get_data(self, cache: bool = True, as_text: bool = False, parse_form_data: bool = False) -> Any:
        return self._body.decode("utf-8", errors="replace") if as_text else self._body

    @property
    def data(self) -> bytes:
        return self._body

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        if not force and not (self.mimetype == "application/json" or self.mimetype.endswith("+json")):
            if silent:
                return None
            raise ValueError(f"the request's Content-Type is {self.content_type!r}, not application/json")
        try:
            return json.loads(self._body)
        except ValueError:
            if silent:
                return None
            raise

    @property
    def json(self) -> Any:
        return self.get_json(silent=True)

    @property
    def form(self) -> MultiDict:
        return self._parse_form()[0]

    @property
    def files(self) -> MultiDict:
        return self._parse_form()[1]

    @property
    def values(self) -> MultiDict:
        return MultiDict([*self.args.items(multi=True), *self.form.items(multi=True)])

    def _parse_form(self) -> tuple[MultiDict, MultiDict]:
        if self._form is None:
            if self.mimetype == "application/x-www-form-urlencoded":
                fields = urllib.parse.parse_qsl(self._body.decode("utf-8", errors="replace"), keep_blank_values=True)
                self._form = (MultiDict(fields), MultiDict())
            elif self.mimetype == "multipart/form-data":
                self._form = _parse_multipart(self.content_type or "", self._body)
            else:
                self._form = (MultiDict(), MultiDict())
        return self._form


def _parse_multipart(content_type: str, body: bytes) -> tuple[MultiDict, MultiDict]:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    fields: list[tuple[str, Any]] = []
    files: list[tuple[str, Any]] = []
    if not message.is_multipart():
        return MultiDict(), MultiDict()
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        assert isinstance(payload, bytes)  # decode=True on a non-multipart part gives bytes
        filename = part.get_filename()
        if filename is not None:
            files.append((str(name), FileStorage(payload, filename, str(name), part.get("Content-Type"))))
        else:
            charset = part.get_content_charset() or "utf-8"
            fields.append((str(name), payload.decode(charset, errors="replace")))
    return MultiDict(fields), MultiDict(files)
