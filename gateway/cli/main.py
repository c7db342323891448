"""`python -m gateway`: parse options (each also from the environment), load scorers, serve."""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
from typing import Any, Sequence

from aiohttp import web

from gateway.errors import StartupError
from gateway.scoring.loader import load_scorer
from gateway.scoring.scorer import Registry, Scorer
from gateway.server.app import create_app
from gateway.server.auth import read_keys_file
from gateway.server.logs import AccessLogger, configure_logging
from gateway.server.workers import EXIT_STARTUP, WORKER_ENV, supervise
from gateway.settings import (
    DEFAULT_MAX_BODY,
    ScorerTarget,
    Settings,
    parse_scorer_option,
)
from gateway.version import __version__

from .commands import check_main, powerquery_main, swagger_main

__all__ = ("main", "build_parser", "settings_from_args", "load_scorers")

ENVIRONMENT = """\
environment (each sets the default of the option of the same name):
  GATEWAY_HOST, GATEWAY_PORT, GATEWAY_MODEL_DIR, GATEWAY_WORKERS, GATEWAY_SCORING_TIMEOUT,
  GATEWAY_INIT_TIMEOUT, GATEWAY_DRAIN_TIMEOUT, GATEWAY_MAX_BODY_SIZE, GATEWAY_MAX_CONCURRENCY,
  GATEWAY_MAX_QUEUE, GATEWAY_CORS_ORIGINS, GATEWAY_API_KEYS (comma-separated), GATEWAY_API_KEYS_FILE,
  GATEWAY_LOG_FORMAT, GATEWAY_LOG_LEVEL
Azure ML's variables keep working:
  AZUREML_ENTRY_SCRIPT  the scorer served when no --scorer is given
  AZUREML_MODEL_DIR     the model directory scorers read (set from --model-dir when given)
  SCORING_TIMEOUT_MS    the scoring timeout in milliseconds
  AML_CORS_ORIGINS      allowed CORS origins, comma-separated
  AML_APP_ROOT, AZUREML_SOURCE_DIRECTORY
                        folders put on sys.path for the scripts' own imports
  SERVICE_NAME, SERVICE_VERSION, SERVICE_PATH_PREFIX
                        the swagger document's title and version, and a path prefix for every route
"""


def _env(*names: str) -> str | None:
    for name in names:
        value = os.environ.get(name)
        if value:
            return value
    return None


def _number(kind: type, name: str, default: float | int | None, scale: float = 1.0) -> Any:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        return kind(float(raw) / scale) if scale != 1.0 else kind(raw)
    except ValueError:
        raise SystemExit(f"gateway: error: environment variable {name}={raw!r} is not a number") from None


def _csv(raw: str | None) -> list[str]:
    return [item.strip() for item in (raw or "").split(",") if item.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m gateway",
        description="Serve Azure ML-style scoring scripts (init() once, run() per request) over HTTP. "
        "Subcommands (each with --help): check (payloads against a scorer's contract), swagger (print a document), "
        "powerquery (print the Power Query function for Power BI).",
        epilog=ENVIRONMENT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = parser.add_argument
    add(
        "--scorer",
        action="append",
        default=[],
        metavar="[NAME=]TARGET",
        help="what to serve: package.module:function, path/to/score.py (function run) or path/to/score.py:function; "
        "repeat with NAME=TARGET to serve several (the one named 'default', or the only one, answers /score)",
    )
    add("--host", default=_env("GATEWAY_HOST") or "127.0.0.1", help="bind address (127.0.0.1)")
    add("--port", type=int, default=_number(int, "GATEWAY_PORT", 5001), help="TCP port (5001)")
    add("--model-dir", default=_env("GATEWAY_MODEL_DIR"), help="exported to scorers as AZUREML_MODEL_DIR (must exist)")
    add("--workers", type=int, default=_number(int, "GATEWAY_WORKERS", 1), help="processes serving one port (1)")
    timeout = _number(float, "GATEWAY_SCORING_TIMEOUT", None) or _number(float, "SCORING_TIMEOUT_MS", 60.0, 1000.0)
    add("--scoring-timeout", type=float, default=timeout, help="seconds before a scoring call answers 504 (60)")
    add("--inline-budget", type=float, default=_number(float, "GATEWAY_INLINE_BUDGET", 0.02),
        help="seconds a sync scorer's request may take to run on the event loop instead of a thread (0.02; 0: never)")
    add("--init-timeout", type=float, default=_number(float, "GATEWAY_INIT_TIMEOUT", None), help="seconds for init()")
    add("--drain-timeout", type=float, default=_number(float, "GATEWAY_DRAIN_TIMEOUT", 30.0),
        help="seconds in-flight requests get to finish after SIGTERM (30)")
    add("--max-body-size", type=int, default=_number(int, "GATEWAY_MAX_BODY_SIZE", DEFAULT_MAX_BODY),
        help="largest accepted request body in bytes (100 MiB)")
    add("--max-concurrency", type=int, default=_number(int, "GATEWAY_MAX_CONCURRENCY", max(4, os.cpu_count() or 1)),
        help="scorer calls running at once per process (max(4, CPUs))")
    add("--max-queue", type=int, default=_number(int, "GATEWAY_MAX_QUEUE", 64),
        help="requests waiting for a slot before 429 (64)")
    add("--cors-origins", default=_env("GATEWAY_CORS_ORIGINS", "AML_CORS_ORIGINS"),
        help="comma-separated origins allowed by CORS ('*' for any)")
    add("--api-key", action="append", default=_csv(_env("GATEWAY_API_KEYS")),
        help="accept 'Authorization: Bearer KEY' (repeat to list two during a rotation)")
    add("--api-keys-file", default=_env("GATEWAY_API_KEYS_FILE"), help="a file of keys, one per line")
    add("--log-format", choices=("text", "json"), default=_env("GATEWAY_LOG_FORMAT") or "text", help="text or json")
    add("--log-level", default=_env("GATEWAY_LOG_LEVEL") or "INFO", help="INFO, DEBUG, ...")
    add("--reuse-port", action="store_true", help=argparse.SUPPRESS)
    add("--version", action="version", version=f"gateway {__version__}")
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
    keys = list(args.api_key)
    if args.api_keys_file:
        try:
            keys += read_keys_file(args.api_keys_file)
        except OSError as exc:
            parser.error(f"--api-keys-file {args.api_keys_file}: {exc.strerror}")
        if not keys:
            parser.error(f"--api-keys-file {args.api_keys_file} holds no key")
    if not 0 < args.port < 65536:
        parser.error(f"--port {args.port} is not a TCP port")
    try:
        return Settings(
            scorers=targets,
            host=args.host,
            port=args.port,
            model_dir=model_dir,
            max_body_size=args.max_body_size,
            max_concurrency=args.max_concurrency,
            max_queue=args.max_queue,
            scoring_timeout=args.scoring_timeout,
            inline_budget=args.inline_budget,
            init_timeout=args.init_timeout,
            drain_timeout=args.drain_timeout,
            api_keys=tuple(keys),
            cors_origins=tuple(_csv(args.cors_origins)),
            log_format=args.log_format,
            workers=args.workers,
            service_name=os.environ.get("SERVICE_NAME") or "ML service",
            service_version=os.environ.get("SERVICE_VERSION") or "1.0",
            path_prefix=os.environ.get("SERVICE_PATH_PREFIX") or "",
        )
    except ValueError as exc:
        parser.error(str(exc))


def load_scorers(targets: Sequence[ScorerTarget]) -> list[Scorer]:
    """Import every target (never calling init()); the first failure is a StartupError.

    AML_APP_ROOT (the working directory unless set) and AZUREML_SOURCE_DIRECTORY are put on sys.path
    first, as Azure ML does, so scripts can import modules from there.
    """
    os.environ.setdefault("AML_APP_ROOT", os.getcwd())
    for variable in ("AML_APP_ROOT", "AZUREML_SOURCE_DIRECTORY"):
        folder = os.environ.get(variable)
        if folder and os.path.isdir(folder) and os.path.abspath(folder) not in sys.path:
            sys.path.append(os.path.abspath(folder))
    scorers = [load_scorer(target) for target in targets]
    default = Registry(scorers).default
    if default is not None and default.source_dir is not None:
        where, _ = next(t for t in targets if t.name == default.name).location
        os.environ["AZUREML_ENTRY_SCRIPT"] = os.path.realpath(where)
    return scorers


def _banner(settings: Settings, scorers: Sequence[Scorer]) -> str:
    base = f"http://{settings.host}:{settings.port}"
    worker = os.environ.get(WORKER_ENV)
    lines = [f"gateway {__version__} serving on {base}" + (f" (worker {worker}, pid {os.getpid()})" if worker else "")]
    default = Registry(scorers).default
    for scorer in scorers:
        routes = f"/score/{scorer.name}" + (" and /score" if scorer is default else "")
        lines.append(f"  scorer '{scorer.name}' ({scorer.target}) at {routes}")
        lines.append(f"      {scorer.describe()}")
    lines.append(f"  docs for people: {base}/docs    swagger: {base}/swagger.json?version=2|3|3.1")
    lines.append("  probes: GET /  /healthz  /readyz    metrics: GET /metrics")
    if settings.api_keys:
        lines.append(f"  API keys: {len(settings.api_keys)} accepted (Authorization: Bearer <key>)")
    else:
        lines.append("  no API key is configured: the server is open to anyone who can reach it")
    if settings.cors_origins:
        lines.append("  CORS origins: " + ", ".join(settings.cors_origins))
    if settings.model_dir:
        lines.append(f"  AZUREML_MODEL_DIR={settings.model_dir}")
    return "\n".join(lines)


def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop's event loop where it is installed (Linux, macOS), asyncio's otherwise."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


#: Allocations (net, of container objects) between two young-generation collections; CPython's default is 700.
GC_YOUNG_THRESHOLD = 10_000


async def settle_heap(app: web.Application) -> None:
    """Once every init() has run: the startup heap (libraries, models) is moved out of the garbage
    collector's sight for good, and young collections are made rarer. Under 64 concurrent one-row
    requests the collector otherwise walked that heap every ~24 requests, 22 µs a request on average;
    only cyclic garbage waits longer (reference counting still frees everything else at once)."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)


def serve(argv: Sequence[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(args.log_level, args.log_format)
    settings = settings_from_args(parser, args)
    if settings.workers > 1 and not os.environ.get(WORKER_ENV):
        return supervise(list(argv), settings)
    try:
        scorers = load_scorers(settings.scorers)
        app = create_app(settings, scorers)
        app.on_startup.append(settle_heap)
        banner = _banner(settings, scorers)
        web.run_app(
            app,
            loop=new_event_loop(),
            host=settings.host,
            port=settings.port,
            reuse_port=args.reuse_port or None,
            shutdown_timeout=settings.drain_timeout,
            handler_cancellation=True,
            print=lambda _: print(banner, flush=True),
            access_log_class=AccessLogger,
            access_log_format=settings.log_format,
        )
    except StartupError as exc:
        print(f"gateway: cannot start: {exc}", file=sys.stderr, flush=True)
        return EXIT_STARTUP
    except OSError as exc:
        print(f"gateway: cannot listen on {settings.host}:{settings.port}: {exc}", file=sys.stderr, flush=True)
        return EXIT_STARTUP
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `python -m gateway` and the `gateway` command."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "check":
        return check_main(argv[1:])
    if argv and argv[0] == "swagger":
        return swagger_main(argv[1:])
    if argv and argv[0] == "powerquery":
        return powerquery_main(argv[1:])
    if argv and argv[0] == "serve":
        argv = argv[1:]
    return serve(argv)
