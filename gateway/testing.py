"""Contract tests for scorer authors: serve a scorer in process on a loopback port and post payloads.

    from gateway.testing import serve_scorer

    def test_churn_scorer():
        with serve_scorer("score.py", model_dir="model") as gateway:
            reply = gateway.score({"Inputs": {"data": rows}})
            reply.assert_ok().assert_conforms()            # 200 and Results match the output contract
            gateway.assert_invalid({"inputs": {}}, path="inputs")

Installed as a pytest plugin: the `gateway_server` fixture is `serve_scorer` with cleanup.
"""

from __future__ import annotations

import asyncio
import os
import threading
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping

import orjson
import pytest
from aiohttp import web

from gateway.core.decoding import DecodeContext
from gateway.errors import Problem
from gateway.scoring.check import check_payload
from gateway.scoring.loader import load_scorer
from gateway.scoring.scorer import Scorer
from gateway.server.app import SERVER_OPTIONS, create_app
from gateway.settings import Settings, parse_scorer_option

__all__ = ("Reply", "ServedGateway", "serve_scorer", "gateway_server")


@dataclass
class Reply:
    """One HTTP answer from the served gateway."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    scorer: Scorer = field(repr=False)

    def json(self) -> Any:
        return orjson.loads(self.body)

    def assert_ok(self) -> "Reply":
        assert self.status == 200, f"expected 200, got {self.status}: {self.body.decode(errors='replace')}"
        return self

    def problems(self) -> list[Problem]:
        """How the body breaks the scorer's declared output contract (empty when it conforms)."""
        contract = self.scorer.contract
        if contract is None or contract.results is None:
            raise AssertionError(f"scorer '{self.scorer.name}' declares no output contract (results=...)")
        ctx = DecodeContext()
        contract.results.decode(self.json(), "", ctx)
        return list(ctx.problems.items)

    def assert_conforms(self) -> "Reply":
        found = self.problems()
        assert not found, "Results break the output contract:\n" + "\n".join(f"  {p.path or '$'}: {p.error}" for p in found)
        return self


class ServedGateway:
    """A running in-process gateway: `url`, `score()`, and offline `check()` of payloads."""

    def __init__(self, url: str, scorers: Mapping[str, Scorer]) -> None:
        self.url = url
        self.scorers = scorers

    def _scorer(self, name: str | None) -> Scorer:
        if name is None:
            return next(iter(self.scorers.values()))
        return self.scorers[name]

    def score(
        self, payload: Any, *, scorer: str | None = None, headers: Mapping[str, str] | None = None
    ) -> Reply:
        """POST a payload (a JSON-able value, or bytes sent as they are) to the scorer's route."""
        body = payload if isinstance(payload, bytes) else orjson.dumps(payload, option=orjson.OPT_SERIALIZE_NUMPY)
        path = "/score" if scorer is None else f"/score/{scorer}"
        request = urllib.request.Request(
            self.url + path, data=body, method="POST", headers={"Content-Type": "application/json", **(headers or {})}
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return Reply(response.status, dict(response.headers), response.read(), self._scorer(scorer))
        except urllib.error.HTTPError as error:
            return Reply(error.code, dict(error.headers), error.read(), self._scorer(scorer))

    def check(self, payload: Any, *, scorer: str | None = None) -> list[Problem]:
        """The problems the gateway finds in a payload, without calling run()."""
        body = payload if isinstance(payload, bytes) else orjson.dumps(payload)
        return list(check_payload(self._scorer(scorer), body).problems)

    def assert_valid(self, payload: Any, *, scorer: str | None = None) -> None:
        found = self.check(payload, scorer=scorer)
        assert not found, "payload breaks the contract:\n" + "\n".join(f"  {p}" for p in found)

    def assert_invalid(self, payload: Any, *, path: str | None = None, scorer: str | None = None) -> list[Problem]:
        found = self.check(payload, scorer=scorer)
        assert found, "payload was expected to break the contract but is valid"
        if path is not None:
            paths = [p.path for p in found]
            assert path in paths, f"no problem at {path}; problems at: {', '.join(paths)}"
        return found


def _as_scorer(target: str | Callable[..., Any] | Scorer, name: str) -> Scorer:
    if isinstance(target, Scorer):
        return target
    if callable(target):
        return Scorer.from_function(name, target, getattr(target, "init", None))
    option = target if "=" in target else f"{name}={target}"
    return load_scorer(parse_scorer_option(option))


@contextmanager
def serve_scorer(
    *targets: str | Callable[..., Any] | Scorer,
    model_dir: str | os.PathLike[str] | None = None,
    settings: Settings | None = None,
    **named: str | Callable[..., Any] | Scorer,
) -> Iterator[ServedGateway]:
    """Serve scorers (script paths, `module:function` targets or functions) on 127.0.0.1 while the block runs.

    init() runs as it would in production; `model_dir` is exported as AZUREML_MODEL_DIR meanwhile.
    """
    previous = os.environ.get("AZUREML_MODEL_DIR")
    if model_dir is not None:
        os.environ["AZUREML_MODEL_DIR"] = os.path.abspath(model_dir)
    scorers = [_as_scorer(t, "default") for t in targets] + [_as_scorer(t, n) for n, t in named.items()]
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="gateway-testing", daemon=True)
    thread.start()
    app = create_app(settings or Settings(), scorers)
    runner = web.AppRunner(app, access_log=None, **SERVER_OPTIONS)

    async def start() -> str:
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        return f"http://{host}:{port}"

    try:
        url = asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=300)
        yield ServedGateway(url, {s.name: s for s in scorers})
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=60)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
        if model_dir is not None:
            if previous is None:
                os.environ.pop("AZUREML_MODEL_DIR", None)
            else:
                os.environ["AZUREML_MODEL_DIR"] = previous


@pytest.fixture
def gateway_server() -> Iterator[Callable[..., ServedGateway]]:
    """`gateway_server("score.py", model_dir=...)` → a ServedGateway, stopped when the test ends."""
    stack: list[Any] = []

    def _start(*targets: Any, **options: Any) -> ServedGateway:
        manager = serve_scorer(*targets, **options)
        served = manager.__enter__()
        stack.append(manager)
        return served

    yield _start
    while stack:
        stack.pop().__exit__(None, None, None)
