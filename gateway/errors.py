"""The error hierarchy: every failure a client can cause or see, with its HTTP status.

Nothing here imports aiohttp; `middleware.py` is the one place that turns these into responses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

__all__ = (
    "MAX_REPORTED_ERRORS",
    "PROBLEMS_SCHEMA",
    "Problem",
    "Problems",
    "GatewayError",
    "EnvelopeError",
    "BadQuery",
    "ContractError",
    "UnsupportedMediaType",
    "PayloadTooLarge",
    "RequestTimeout",
    "NotFound",
    "UnknownScorer",
    "UnsupportedScorer",
    "TooBusy",
    "TooBusyUnavailable",
    "Unauthorized",
    "ScoringError",
    "ScoringTimeout",
    "Unavailable",
    "StartupError",
    "join_path",
)

MAX_REPORTED_ERRORS = 20


def join_path(path: str, key: str | int) -> str:
    """Extend a JSON path: `Inputs` + `data` → `Inputs.data`, + 17 → `Inputs.data[17]`."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    if key.isidentifier():
        return f"{path}.{key}" if path else key
    quoted = key.replace("\\", "\\\\").replace('"', '\\"')
    return f'{path}["{quoted}"]'


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a request, and where it is (a JSON path; `$` is the whole body)."""

    path: str
    error: str

    def as_json(self) -> dict[str, str]:
        return {"path": self.path, "error": self.error}

    def __str__(self) -> str:
        return f"{self.path}: {self.error}"


#: the JSON Schema of an error body's `errors`: each problem as `Problem.as_json` writes it
PROBLEMS_SCHEMA: dict[str, object] = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["path", "error"],
        "properties": {"path": {"type": "string"}, "error": {"type": "string"}},
    },
}


class Problems:
    """Collects up to MAX_REPORTED_ERRORS problems while a whole request is checked."""

    __slots__ = ("items", "total")

    def __init__(self) -> None:
        self.items: list[Problem] = []
        self.total = 0

    def add(self, path: str, error: str) -> None:
        self.total += 1
        if len(self.items) < MAX_REPORTED_ERRORS:
            self.items.append(Problem(path, error))

    @property
    def full(self) -> bool:
        return self.total >= MAX_REPORTED_ERRORS

    def __bool__(self) -> bool:
        return self.total > 0

    def raise_if_any(self) -> None:
        if self.total:
            raise ContractError(self.items, self.total)


class GatewayError(Exception):
    """Base of every error the gateway answers itself; `status` is the HTTP status code."""

    status: ClassVar[int] = 500
    run_failed: ClassVar[bool] = False
    #: MLflow's `error_code`, first in the body, for a request that came by MLflow's protocol
    error_code: str | None = None

    def __init__(
        self, message: str, problems: list[Problem] | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {} if self.error_code is None else {"error_code": self.error_code}
        body["message"] = self.message
        if self.problems:
            body["errors"] = [p.as_json() for p in self.problems]
        return body


class EnvelopeError(GatewayError):
    """The body is not a usable request envelope (empty, not JSON, not an object, ...)."""

    status = 400

    def __init__(self, message: str, path: str = "$") -> None:
        super().__init__(message, [Problem(path, message)])


class BadQuery(GatewayError):
    """A query-string parameter of a route (not of the scorer's contract) is not usable; names it."""

    status = 400

    def __init__(self, message: str, parameter: str) -> None:
        super().__init__(message, [Problem(parameter, message)])


class ContractError(GatewayError):
    """The envelope's content breaks the scorer's contract; lists the first problems with paths."""

    status = 400

    def __init__(self, problems: list[Problem], total: int | None = None) -> None:
        total = len(problems) if total is None else total
        message = str(problems[0]) if problems else "invalid request"
        if total > 1:
            message += f" (and {total - 1} more error{'s' if total > 2 else ''})"
        super().__init__(message, problems)
        self.total = total


class UnsupportedMediaType(GatewayError):
    status = 415


class PayloadTooLarge(GatewayError):
    status = 413


class RequestTimeout(GatewayError):
    """The request's body did not arrive within the request read timeout."""

    status = 408


class NotFound(GatewayError):
    status = 404


class UnknownScorer(NotFound):
    """No scorer of that name is served; the message lists the ones that are."""


class UnsupportedScorer(NotFound):
    """The scorer exists but has no such document (e.g. no table for a Power Query function)."""


class TooBusy(GatewayError):
    """Every scorer slot is busy and the waiting line is full; the client should retry later (429, or 503 as
    `TooBusy.answering(503)`, for clients that retry only 503: `--overload-status`)."""

    status = 429

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message, headers={"Retry-After": str(retry_after)})

    @staticmethod
    def answering(status: int) -> "type[TooBusy]":
        """The TooBusy error that answers `status` (429 or 503)."""
        return {429: TooBusy, 503: TooBusyUnavailable}[status]


class TooBusyUnavailable(TooBusy):
    """TooBusy answered 503 Service Unavailable (`--overload-status 503`; Azure Stream Analytics retries only 503)."""

    status = 503


class Unauthorized(GatewayError):
    status = 401

    def __init__(self, message: str, challenge: str) -> None:
        super().__init__(message, headers={"WWW-Authenticate": challenge})


class ScoringError(GatewayError):
    """The scorer's own code failed; the client sees a generic message, the log the traceback."""

    status = 500
    run_failed = True


class Unavailable(GatewayError):
    """Scoring is not possible now (scorers still in init(), or the gateway is shutting down); retry."""

    status = 503

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message, headers={"Retry-After": str(retry_after)})


class StartupError(Exception):
    """A scorer could not be loaded or initialised; the message is one paragraph for the operator."""


class ScoringTimeout(GatewayError):
    """run() did not finish within the scoring timeout."""

    status = 504
    run_failed = True
