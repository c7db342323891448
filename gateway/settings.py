"""Settings: everything the command line and the environment decide, frozen before the app is built."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

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
    threads: int = field(default_factory=lambda: max(4, os.cpu_count() or 1))
    server_version_header: bool = True
