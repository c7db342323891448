"""Settings: everything the command line and the environment decide, frozen before the app is built."""

from __future__ import annotations

from dataclasses import dataclass

from .loader import ScorerTarget

__all__ = ("Settings", "DEFAULT_MAX_BODY")

DEFAULT_MAX_BODY = 100 * 1024 * 1024


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
    api_keys: tuple[str, ...] = ()
    cors_origins: tuple[str, ...] = ()
    log_format: str = "text"
    workers: int = 1
    server_version_header: bool = True
    service_name: str = "ML service"
    service_version: str = "1.0"
    path_prefix: str = ""

    def __post_init__(self) -> None:
        if self.log_format not in ("text", "json"):
            raise ValueError(f"log_format must be 'text' or 'json', not {self.log_format!r}")
        if self.max_concurrency < 1 or self.max_queue < 0 or self.scoring_timeout <= 0 or self.inline_budget < 0:
            raise ValueError("max_concurrency must be ≥ 1, max_queue ≥ 0, scoring_timeout > 0 and inline_budget ≥ 0")
