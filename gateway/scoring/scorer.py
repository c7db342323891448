"""The scorer value: a registered `run()` read once at registration, and the registry of those served."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Callable, Iterable, Mapping

from gateway.azureml import inference_schema
from gateway.azureml.aml_request import is_rawhttp
from gateway.core.declare import HEADERS_PARAM, Contract, get_contract
from gateway.errors import StartupError, UnknownScorer

__all__ = ("Scorer", "Registry")


@dataclass(frozen=True)
class Scorer:
    """A registered scoring function: how to call it, and with what."""

    name: str
    run: Callable[..., Any]
    init: Callable[[], Any] | None = None
    contract: Contract | None = None
    raw_param: str | None = None
    rawhttp: bool = False
    wants_headers: bool = False
    is_async: bool = False
    target: str = ""
    source_dir: str | None = None

    @classmethod
    def from_function(
        cls,
        name: str,
        run: Callable[..., Any],
        init: Callable[[], Any] | None = None,
        *,
        target: str = "",
        source_dir: str | None = None,
    ) -> "Scorer":
        """Inspect `run` once; a signature the gateway cannot call is a StartupError."""
        label = f"scorer '{name}'" + (f" ({target})" if target else "")
        try:
            signature = inspect.signature(run)
        except (TypeError, ValueError) as exc:
            raise StartupError(f"{label}: cannot read the signature of run(): {exc}") from exc
        params = signature.parameters
        wants_headers = HEADERS_PARAM in params
        found = get_contract(run)
        if found is None and inference_schema.is_decorated(run):
            try:
                run, found = inference_schema.adapt(run)
            except Exception as exc:
                raise StartupError(f"{label}: its inference-schema declarations cannot be read: {exc}") from exc
        raw = is_rawhttp(run)
        if raw and found is not None:
            raise StartupError(f"{label}: run() cannot be both @rawhttp and declare a contract")
        raw_param = None
        if found is None:
            for p in params.values():
                if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD, p.POSITIONAL_ONLY) and p.name != HEADERS_PARAM:
                    raise StartupError(f"{label}: run() may not take *args, **kwargs or positional-only parameters")
            inputs = [p.name for p in params.values() if p.name != HEADERS_PARAM]
            if not inputs:
                raise StartupError(f"{label}: run() must take at least one parameter to receive the request")
            raw_param = inputs[0]
        is_async = inspect.iscoroutinefunction(run) or inspect.iscoroutinefunction(getattr(run, "__call__", None))
        return cls(name, run, init, found, raw_param, raw, wants_headers, is_async, target, source_dir)

    @property
    def route(self) -> str:
        """The path that reaches this scorer whatever else is served: `/score/{name}`, or `/score` for the
        scorer named "default" (what the Power Query function calls, so it survives adding scorers)."""
        return "/score" if self.name == "default" else f"/score/{self.name}"

    def describe(self) -> str:
        if self.contract is not None:
            return self.contract.describe()
        if self.rawhttp:
            return f"{self.raw_param}: the whole HTTP request (@rawhttp)"
        return f"{self.raw_param}: raw body text (no contract)"


class Registry:
    """The scorers being served, by name; read-only once the app is built."""

    def __init__(self, scorers: Iterable[Scorer]) -> None:
        by_name: dict[str, Scorer] = {}
        for scorer in scorers:
            if scorer.name in by_name:
                raise StartupError(f"two scorers are named '{scorer.name}'")
            by_name[scorer.name] = scorer
        if not by_name:
            raise StartupError("no scorer to serve: give --scorer TARGET or set AZUREML_ENTRY_SCRIPT")
        self.scorers: Mapping[str, Scorer] = MappingProxyType(by_name)

    @property
    def default(self) -> Scorer | None:
        if len(self.scorers) == 1:
            return next(iter(self.scorers.values()))
        return self.scorers.get("default")

    def path_of(self, scorer: Scorer) -> str:
        """The score path a scorer is documented at: `/score` for the default one, else its `route`."""
        return "/score" if scorer is self.default else scorer.route

    def get(self, name: str | None) -> Scorer:
        if name is None:
            found = self.default
            if found is None:
                raise UnknownScorer(
                    "no default scorer is served; use /score/{name} with one of: " + ", ".join(self.scorers)
                )
            return found
        try:
            return self.scorers[name]
        except KeyError:
            raise UnknownScorer(
                f"no scorer named '{name}'; served scorers: " + ", ".join(self.scorers)
            ) from None
