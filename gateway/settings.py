"""Settings: everything the command line and the environment decide, frozen before the app is built."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

__all__ = ("Settings", "DEFAULT_MAX_BODY", "OVERLOAD_STATUSES", "ScorerTarget", "parse_scorer_option")

_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")

DEFAULT_MAX_BODY = 100 * 1024 * 1024

#: The statuses a request refused at capacity may get (`--overload-status`): Too Many Requests, or Service
#: Unavailable for clients that retry only that one (Azure Stream Analytics).
OVERLOAD_STATUSES = (429, 503)


@dataclass(frozen=True)
class ScorerTarget:
    """One `--scorer [NAME=]TARGET` as given on the command line."""

    name: str
    target: str

    @property
    def is_file(self) -> bool:
        return self.location[0].endswith(".py") or os.path.sep in self.location[0] or "/" in self.location[0]

    @property
    def location(self) -> tuple[str, str]:
        """(module path or file path, function name)."""
        where, sep, func = self.target.rpartition(":")
        if sep and func.isidentifier() and where:
            return where, func
        return self.target, "run"


def parse_scorer_option(text: str, default_name: str = "default") -> ScorerTarget:
    """`NAME=TARGET` or `TARGET`; a bare TARGET is named `default`."""
    name, sep, target = text.partition("=")
    if not sep:
        return ScorerTarget(default_name, text)
    if not _NAME.match(name):
        raise ValueError(f"scorer name {name!r} may only hold letters, digits, '_', '-' and '.'")
    if not target:
        raise ValueError(f"--scorer {text!r}: no TARGET after '='")
    return ScorerTarget(name, target)


@dataclass(frozen=True)
class Settings:
    """How one gateway process serves: where it listens, what it serves, and its limits."""

    scorers: tuple[ScorerTarget, ...] = ()
    host: str = "127.0.0.1"
    port: int = 5001
    model_dir: str | None = None
    max_body_size: int = DEFAULT_MAX_BODY
    max_concurrency: int = 4
    max_queue: int = 64
    scoring_timeout: float = 60.0
    inline_budget: float = 0.02
    init_timeout: float | None = None
    drain_timeout: float = 30.0
    request_read_timeout: float = 30.0
    api_keys: tuple[str, ...] = ()
    cors_origins: tuple[str, ...] = ()
    log_format: str = "text"
    workers: int = 1
    server_version_header: bool = True
    service_name: str = "ML service"
    service_version: str = "1.0"
    path_prefix: str = ""
    log_level: str = "INFO"
    reuse_port: bool = False  # set on the processes `--workers` starts, which share one port
    text_values: bool = False  # every table accepts "12", "3.5", "true" for numbers and booleans
    overload_status: int = 429  # what a request refused at capacity gets: 429, or 503 (Stream Analytics retries it)
    config_file: str | None = None  # the JSON file of variables read (--config-file, AZUREML_CONFIG_FILE, config.json)
    debug_port: int | None = None  # AZUREML_DEBUG_PORT: connect to a listening debugpy before loading the scripts
    appinsights_key: str | None = None  # --appinsights_instrumentation_key: traces to Application Insights
    capture_dir: str | None = None  # where scored requests are captured, one JSON line each (--capture)
    capture_sample: float = 1.0  # the share of scored requests captured
    capture_max_bytes: int = 64 * 1024  # a body larger than this is captured as its size and hash only

    @property
    def prefix(self) -> str:
        """The path prefix as routes and documents use it: `/ml` for `ml`, `/ml/` or `/ml`; "" for none."""
        stripped = self.path_prefix.strip("/")
        return f"/{stripped}" if stripped else ""

    def __post_init__(self) -> None:
        if self.log_format not in ("text", "json"):
            raise ValueError(f"log_format must be 'text' or 'json', not {self.log_format!r}")
        if self.max_concurrency < 1 or self.max_queue < 0 or self.scoring_timeout <= 0 or self.inline_budget < 0:
            raise ValueError("max_concurrency must be ≥ 1, max_queue ≥ 0, scoring_timeout > 0 and inline_budget ≥ 0")
        if self.request_read_timeout <= 0:
            raise ValueError("request_read_timeout must be > 0")
        if not 0.0 <= self.capture_sample <= 1.0 or self.capture_max_bytes < 0:
            raise ValueError("capture_sample must be between 0 and 1 and capture_max_bytes ≥ 0")
        if self.overload_status not in OVERLOAD_STATUSES:
            raise ValueError(f"overload_status must be 429 or 503, not {self.overload_status!r}")
