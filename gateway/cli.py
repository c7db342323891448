"""`python -m gateway`: parse options (each also from the environment), load scorers, serve."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Sequence

from aiohttp import web

from . import __version__
from .app import create_app
from .commands import check_main
from .errors import StartupError
from .loader import ScorerTarget, load, parse_scorer_option
from .runtime import Registry, Scorer
from .settings import DEFAULT_MAX_BODY, Settings

__all__ = ("main", "build_parser", "settings_from_args", "load_scorers")

ENVIRONMENT = """\
environment:
  GATEWAY_HOST, GATEWAY_PORT, GATEWAY_MODEL_DIR, GATEWAY_MAX_BODY_SIZE, GATEWAY_THREADS
                        defaults for the options of the same name
  AZUREML_ENTRY_SCRIPT  the scorer served when no --scorer is given
  AZUREML_MODEL_DIR     the model directory scorers read (set from --model-dir when given)
"""


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"gateway: error: environment variable {name}={raw!r} is not an integer") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m gateway",
        description="Serve Azure ML-style scoring scripts (init() once, run() per request) over HTTP. "
        "Subcommand: 'python -m gateway check --help' checks payloads against a scorer's contract.",
        epilog=ENVIRONMENT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--scorer",
        action="append",
        default=[],
        metavar="[NAME=]TARGET",
        help="what to serve: package.module:function, path/to/score.py (function run) or path/to/score.py:function; "
        "repeat with NAME=TARGET to serve several (the one named 'default', or the only one, answers /score)",
    )
    parser.add_argument("--host", default=os.environ.get("GATEWAY_HOST", "127.0.0.1"), help="bind address (127.0.0.1)")
    parser.add_argument("--port", type=int, default=_env_int("GATEWAY_PORT", 5001), help="TCP port (5001)")
    parser.add_argument(
        "--model-dir",
        default=os.environ.get("GATEWAY_MODEL_DIR"),
        help="model directory; exported to scorers as AZUREML_MODEL_DIR (absolute, must exist)",
    )
    parser.add_argument(
        "--max-body-size",
        type=int,
        default=_env_int("GATEWAY_MAX_BODY_SIZE", DEFAULT_MAX_BODY),
        help="largest accepted request body in bytes (100 MiB)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=_env_int("GATEWAY_THREADS", max(4, os.cpu_count() or 1)),
        help="worker threads that run synchronous run() functions",
    )
    parser.add_argument("--log-level", default=os.environ.get("GATEWAY_LOG_LEVEL", "INFO"), help="INFO, DEBUG, ...")
    parser.add_argument("--version", action="version", version=f"gateway {__version__}")
    return parser


def settings_from_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> Settings:
    """Validate the options (usage errors exit 2) and export AZUREML_MODEL_DIR for the scorers."""
    scorer_options = list(args.scorer)
    if not scorer_options and os.environ.get("AZUREML_ENTRY_SCRIPT"):
        scorer_options = [os.environ["AZUREML_ENTRY_SCRIPT"]]
    if not scorer_options:
        parser.error("give --scorer TARGET (or set AZUREML_ENTRY_SCRIPT)")
    try:
        targets = tuple(parse_scorer_option(option) for option in scorer_options)
    except ValueError as exc:
        parser.error(str(exc))
    names = [t.name for t in targets]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        parser.error(f"several scorers are named {', '.join(duplicates)}; name them with --scorer NAME=TARGET")
    model_dir = None
    if args.model_dir:
        model_dir = os.path.abspath(args.model_dir)
        if not os.path.isdir(model_dir):
            parser.error(f"--model-dir {args.model_dir}: no such directory")
        os.environ["AZUREML_MODEL_DIR"] = model_dir
    if not 0 < args.port < 65536:
        parser.error(f"--port {args.port} is not a TCP port")
    if args.max_body_size <= 0 or args.threads <= 0:
        parser.error("--max-body-size and --threads must be positive")
    return Settings(
        scorers=targets,
        host=args.host,
        port=args.port,
        model_dir=model_dir,
        max_body_size=args.max_body_size,
        threads=args.threads,
    )


def load_scorers(targets: Sequence[ScorerTarget]) -> list[Scorer]:
    """Import every target (never calling init()); the first failure is a StartupError."""
    scorers = [Scorer.from_loaded(load(target)) for target in targets]
    default = Registry(scorers).default
    if default is not None and default.source_dir is not None:
        where, _ = next(t for t in targets if t.name == default.name).location
        os.environ["AZUREML_ENTRY_SCRIPT"] = os.path.realpath(where)
    return scorers


def _banner(settings: Settings, scorers: Sequence[Scorer]) -> str:
    base = f"http://{settings.host}:{settings.port}"
    lines = [f"gateway {__version__} serving on {base}"]
    default = Registry(scorers).default
    for scorer in scorers:
        routes = f"/score/{scorer.name}" + (" and /score" if scorer is default else "")
        lines.append(f"  scorer '{scorer.name}' ({scorer.target}) at {routes}")
        lines.append(f"      {scorer.describe()}")
    lines.append("  probes: GET /  /healthz  /readyz")
    lines.append("  no API key is configured: the server is open to anyone who can reach it")
    if settings.model_dir:
        lines.append(f"  AZUREML_MODEL_DIR={settings.model_dir}")
    return "\n".join(lines)


def serve(argv: Sequence[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    settings = settings_from_args(parser, args)
    try:
        scorers = load_scorers(settings.scorers)
        app = create_app(settings, scorers)
        banner = _banner(settings, scorers)
        web.run_app(
            app,
            host=settings.host,
            port=settings.port,
            print=lambda _: print(banner, flush=True),
            access_log_format='%a "%r" %s %b %Tfs id=%{x-request-id}o',
        )
    except StartupError as exc:
        print(f"gateway: cannot start: {exc}", file=sys.stderr, flush=True)
        return 1
    except OSError as exc:
        print(f"gateway: cannot listen on {settings.host}:{settings.port}: {exc}", file=sys.stderr, flush=True)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `python -m gateway` and the `gateway` command."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "check":
        return check_main(argv[1:])
    if argv and argv[0] == "serve":
        argv = argv[1:]
    return serve(argv)
