"""A request's `run()` arguments: the HTTP-free `Incoming` carrier bound to a scorer, by its kind
(@rawhttp gets an `AMLRequest`, an undecorated run() the body text, a contract its decoded parameters)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from gateway.azureml.aml_request import AMLRequest
from gateway.core.declare import HEADERS_PARAM, Contract
from gateway.core.decoding import DecodeContext
from gateway.core.envelope import check_media_type, decode_text, parse_query

from .mlflow import MLFLOW, input_data, invocation
from .scorer import Scorer

__all__ = ("Incoming", "arguments")


@dataclass(slots=True)
class Incoming:
    """What a score request carries, without HTTP types."""

    method: str
    body: bytes = b""
    query: list[tuple[str, str]] = field(default_factory=list)
    content_type: str | None = None
    headers: dict[str, str] | None = None
    request_id: str = ""
    path: str = "/score"
    query_string: str = ""
    host: str = "localhost"
    scheme: str = "http"
    remote: str | None = None
    answer_form: str | None = None  # "classic" or "swagger" (Studio's row objects); None: as the request came
    protocol: str | None = None  # "mlflow": MLflow's scoring protocol (`gateway.scoring.mlflow`); None: the envelope
    text_values: bool = False  # every table and array accepts text values (--text-values)


def arguments(scorer: Scorer, incoming: Incoming, contract: Contract | None = None) -> tuple[dict[str, Any], DecodeContext]:
    """The keyword arguments for `run()`, or a 4xx GatewayError explaining what is wrong (`contract`
    overrides the scorer's, as batching does to keep its table as columns)."""
    ctx = DecodeContext(text_values=incoming.text_values)
    if incoming.protocol == MLFLOW:
        kwargs: dict[str, Any] = invocation(scorer.contract, contract, incoming.body, incoming.content_type, scorer.name, ctx)
        ctx.problems.raise_if_any()
    elif scorer.rawhttp:
        assert scorer.raw_param is not None
        request = AMLRequest(
            incoming.method,
            incoming.path,
            incoming.query_string,
            incoming.headers or {},
            incoming.body,
            scheme=incoming.scheme,
            host=incoming.host,
            remote_addr=incoming.remote,
        )
        kwargs = {scorer.raw_param: request}
    elif scorer.contract is None:
        assert scorer.raw_param is not None
        if incoming.method == "GET":
            text = orjson.dumps(parse_query(incoming.query)).decode()
        else:
            text = decode_text(incoming.body)
        kwargs = {scorer.raw_param: text}
    else:
        active = contract or scorer.contract
        if incoming.method == "GET":
            kwargs = active.bind(parse_query(incoming.query), ctx)
        else:
            check_media_type(incoming.content_type)
            kwargs, ctx = active.bind_body(incoming.body, incoming.text_values)
            if ctx.problems or "input_data" in ctx.ignored:  # perhaps Azure's MLflow request, `{"input_data": ...}`
                azure_ctx = DecodeContext(text_values=incoming.text_values)
                azure = input_data(active, incoming.body, scorer.name, azure_ctx, scorer.contract)
                if azure is not None:
                    kwargs, ctx = azure, azure_ctx
        ctx.problems.raise_if_any()
    if scorer.wants_headers:
        kwargs[HEADERS_PARAM] = {_canonical(name): value for name, value in (incoming.headers or {}).items()}
    return kwargs, ctx


def _canonical(name: str) -> str:
    """A header name as Azure ML's Flask server spelled them for `request_headers` (`X-Request-Id`)."""
    return "-".join(word.capitalize() for word in name.split("-"))
