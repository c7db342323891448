"""The serve options, each declared once in `OPTIONS`: flags, environment variables, default and `Settings` field.

The argparse arguments, the `--help` epilog and the `Settings` keyword arguments are all made from that table,
so adding an option is one row here and one field of `gateway.settings.Settings`. A value comes from the
option's flag, else its environment variables, else the config file (the same names as keys), else its default.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from typing import Any, Callable

from gateway.scoring.loader import CONVENTIONS
from gateway.settings import DEFAULT_MAX_BODY, ScorerTarget, parse_scorer_option

from .config_file import ConfigFile, ConfigFileError, read_config

__all__ = ("ADDS", "REPLACES", "Env", "Option", "OPTIONS", "add_arguments", "epilog", "read", "settings_kwargs")

#: A repeatable flag whose values replace its variable's one value (`--scorer`, AZUREML_ENTRY_SCRIPT).
REPLACES = "replaces"
#: A repeatable flag whose values come after its variable's comma-separated ones (`--api-key`, GATEWAY_API_KEYS).
ADDS = "adds"

_BOOLEANS = {**dict.fromkeys(("1", "true", "yes", "on"), True), **dict.fromkeys(("0", "false", "no", "off"), False)}


@dataclass(frozen=True)
class Env:
    """An environment variable an option reads: the gateway's own (`GATEWAY_*`) or one of Azure ML's."""

    name: str
    note: str = ""  # in --help: beside a GATEWAY_ name in parentheses; an Azure ML name's description
    scale: float = 1.0  # the option's value is the variable's divided by this (milliseconds for seconds: 1000)

    @property
    def azureml(self) -> bool:
        return not self.name.startswith("GATEWAY_")


@dataclass(frozen=True)
class Option:
    """One serve option: where its value comes from (flag, else environment, else default) and where it goes.

    `name` is the `Settings` field it fills (and the argparse dest); a row with `setting=False` fills none.
    Variables are read in order: a later one is read when those before it are unset, empty or zero.
    `finish` turns the value into what `Settings` takes; its ValueError is a usage error (exit 2).
    """

    name: str
    flags: tuple[str, ...]
    env: tuple[str | Env, ...]
    help: str
    parse: Callable[[str], Any] = str
    default: Any = None  # a callable is called for the default when the option is read
    finish: Callable[[Any], Any] | None = None
    repeat: str = ""  # REPLACES or ADDS: the flag may be given several times, the value is a tuple
    switch: bool = False  # a flag without a value (its variables, if any, are read with `parse`)
    metavar: str | None = None
    choices: tuple[str, ...] | None = None
    setting: bool = True

    @property
    def variables(self) -> tuple[Env, ...]:
        return tuple(Env(env) if isinstance(env, str) else env for env in self.env)


def _csv(raw: str | None) -> tuple[str, ...]:
    return tuple(item.strip() for item in (raw or "").split(",") if item.strip())


def _targets(options: tuple[str, ...]) -> tuple[ScorerTarget, ...]:
    if not options:
        raise ValueError("give --scorer TARGET (or set AZUREML_ENTRY_SCRIPT)")
    targets = tuple(parse_scorer_option(option) for option in options)
    names = [t.name for t in targets]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"several scorers are named {', '.join(duplicates)}; name them with --scorer NAME=TARGET")
    return targets


def _tcp_port(port: int) -> int:
    if not 0 < port < 65536:
        raise ValueError(f"--port {port} is not a TCP port")
    return port


def _boolean(text: str) -> bool:
    """A boolean variable: 1, true, yes, on or 0, false, no, off (any case)."""
    if text.strip().lower() not in _BOOLEANS:
        raise ValueError(text)
    return _BOOLEANS[text.strip().lower()]


def _true(text: str) -> bool:
    """`true` in any case; anything else is false (as azmlinfsrv reads SERVER_VERSION_LOG_RESPONSE_ENABLED)."""
    return text.strip().lower() == "true"


def _directory(path: str | None) -> str | None:
    if not path:
        return None
    absolute = os.path.abspath(path)
    if not os.path.isdir(absolute):
        raise ValueError(f"--model-dir {path}: no such directory")
    return absolute


OPTIONS: tuple[Option, ...] = (
    Option("scorers", ("--scorer", "--entry_script"), (Env("AZUREML_ENTRY_SCRIPT", "the scorer served when no --scorer is given"),),
           "what to serve: package.module:function, path/to/score.py (function run) or path/to/score.py:function; "
           "repeat with NAME=TARGET to serve several (the one named 'default', or the only one, answers /score)",
           default=(), finish=_targets, repeat=REPLACES, metavar="[NAME=]TARGET"),
    Option("config_file", ("--config-file", "--config_file"),
           (Env("AZUREML_CONFIG_FILE", "a JSON object of these variables' values, below the environment"),),
           "a JSON file of environment variables' values (else config.json in AML_APP_ROOT or beside the entry "
           "script): flags beat the environment, which beats the file"),
    Option("host", ("--host",), ("GATEWAY_HOST",), "bind address (127.0.0.1)", default="127.0.0.1"),
    Option("port", ("--port",), ("GATEWAY_PORT",), "TCP port (5001)", int, 5001, finish=_tcp_port),
    Option("model_dir", ("--model-dir", "--model_dir"), ("GATEWAY_MODEL_DIR",), "exported to scorers as AZUREML_MODEL_DIR (must exist)",
           finish=_directory),
    Option("workers", ("--workers", "--worker_count"),
           ("GATEWAY_WORKERS", Env("WORKER_COUNT", "worker processes, as azmlinfsrv reads it")),
           "processes serving one port (1)", int, 1),
    Option("scoring_timeout", ("--scoring-timeout",),
           ("GATEWAY_SCORING_TIMEOUT", Env("SCORING_TIMEOUT_MS", "the scoring timeout in milliseconds", 1000.0)),
           "seconds before a scoring call answers 504 (60)", float, 60.0),
    Option("inline_budget", ("--inline-budget",), ("GATEWAY_INLINE_BUDGET",),
           "seconds a sync scorer's request may take to run on the event loop instead of a thread (0.02; 0: never)",
           float, 0.02),
    Option("init_timeout", ("--init-timeout",), ("GATEWAY_INIT_TIMEOUT",), "seconds for init()", float, None),
    Option("drain_timeout", ("--drain-timeout",), ("GATEWAY_DRAIN_TIMEOUT",),
           "seconds in-flight requests get to finish after SIGTERM (30)", float, 30.0),
    Option("request_read_timeout", ("--request-read-timeout",), ("GATEWAY_REQUEST_READ_TIMEOUT",),
           "seconds a connection may take to send a request's headers, or its body, or stay idle (30)", float, 30.0),
    Option("max_body_size", ("--max-body-size",), ("GATEWAY_MAX_BODY_SIZE",),
           "largest accepted request body in bytes (100 MiB)", int, DEFAULT_MAX_BODY),
    Option("max_concurrency", ("--max-concurrency",), ("GATEWAY_MAX_CONCURRENCY",),
           "scorer calls running at once per process (max(4, CPUs))", int, lambda: max(4, os.cpu_count() or 1)),
    Option("max_queue", ("--max-queue",), ("GATEWAY_MAX_QUEUE",), "requests waiting for a slot before 429 (64)", int, 64),
    Option("overload_status", ("--overload-status",), ("GATEWAY_OVERLOAD_STATUS",),
           "the status of a request refused at capacity, with Retry-After: 429, or 503 for clients that retry only "
           "503 (Azure Stream Analytics) (429)", int, 429, metavar="429|503"),  # Settings checks it
    Option("cors_origins", ("--cors-origins", "--access_control_allow_origins"),
           ("GATEWAY_CORS_ORIGINS", Env("AML_CORS_ORIGINS", "allowed CORS origins, comma-separated")),
           "comma-separated origins allowed by CORS ('*' for any)", finish=_csv),
    Option("api_keys", ("--api-key",), (Env("GATEWAY_API_KEYS", "comma-separated"),),
           "accept 'Authorization: Bearer KEY' (repeat to list two during a rotation)", default=(), repeat=ADDS),
    Option("api_keys_file", ("--api-keys-file",), ("GATEWAY_API_KEYS_FILE",), "a file of keys, one per line",
           setting=False),  # its keys join api_keys (settings_from_args reads the file)
    Option("log_format", ("--log-format",), ("GATEWAY_LOG_FORMAT",), "text or json", default="text",
           choices=("text", "json")),
    Option("log_level", ("--log-level",), ("GATEWAY_LOG_LEVEL", Env("AZUREML_LOG_LEVEL", "the log level, as azmlinfsrv reads it")),
           "INFO, DEBUG, ...", default="INFO"),
    Option("capture_dir", ("--capture",), ("GATEWAY_CAPTURE",),
           "capture every scored request and its answer, one JSON line each, into this directory (user data!)",
           metavar="DIR"),
    Option("capture_sample", ("--capture-sample",), ("GATEWAY_CAPTURE_SAMPLE",),
           "the share of scored requests captured, 0 to 1 (1)", float, 1.0),
    Option("capture_max_bytes", ("--capture-max-bytes",), ("GATEWAY_CAPTURE_MAX_BYTES",),
           "a body larger than this is captured as its size and SHA-256 only (65536)", int, 64 * 1024),
    Option("appinsights_key", ("--appinsights_instrumentation_key",), (),
           "send traces to this Application Insights resource, as azmlinfsrv does (pip install gateway[azure-monitor])"),
    Option("reuse_port", ("--reuse-port",), (), argparse.SUPPRESS, default=False, switch=True),
    Option("text_values", ("--text-values",), (Env("GATEWAY_TEXT_VALUES", "1 or 0"),),
           "accept the exact text of a number or boolean in every table (\"12\", \"3.5\", \"true\"), as Azure "
           "Stream Analytics and Excel send them", _boolean, False, switch=True),
    Option("server_version_header", (),
           (Env("SERVER_VERSION_LOG_RESPONSE_ENABLED", "anything but true (any case) leaves x-ms-server-version out"),),
           "send the x-ms-server-version header", _true, True),
    Option("debug_port", (), (Env("AZUREML_DEBUG_PORT", "each process connects to a debugpy server listening on this "
           "port before loading the scripts (pip install gateway[debug])"),), "the debugger's port", int),
    Option("service_name", (), ("SERVICE_NAME",), "the swagger document's title", default="ML service"),
    Option("service_version", (), ("SERVICE_VERSION",), "the swagger document's version", default="1.0"),
    Option("path_prefix", (), ("SERVICE_PATH_PREFIX",), "a path prefix for every route", default=""),
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags of `OPTIONS`; an option not given is None in the namespace (`read` fills it in)."""
    for option in OPTIONS:
        if not option.flags:
            continue
        if option.switch:
            parser.add_argument(*option.flags, dest=option.name, action="store_const", const=True, help=option.help)
            continue
        metavar = option.metavar
        if metavar is None and option.choices is None:  # named after the flag, not the Settings field
            metavar = option.flags[0].lstrip("-").replace("-", "_").upper()
        parser.add_argument(
            *option.flags,
            dest=option.name,
            action="append" if option.repeat else "store",
            type=option.parse,
            help=option.help,
            metavar=metavar,
            choices=option.choices,
        )


def epilog() -> str:
    """The `--help` text listing every option's environment variables, then Azure ML's conventions."""
    own = [env.name + (f" ({env.note})" if env.note else "") for o in OPTIONS for env in o.variables if not env.azureml]
    lines = ["environment (each sets the default of the option of the same name):", *_wrapped(own)]
    lines.append("Azure ML's variables keep working:")
    described = [(env.name, env.note or o.help) for o in OPTIONS for env in o.variables if env.azureml]
    for name, note in [*described, *CONVENTIONS]:
        lines.append(f"  {name:<20}  {note}" if len(name) <= 20 else f"  {name}\n{'':24}{note}")
    return "\n".join(lines) + "\n"


def _wrapped(items: list[str], width: int = 100) -> list[str]:
    lines: list[str] = []
    line = ""
    for index, item in enumerate(items):
        piece = item + ("," if index < len(items) - 1 else "")
        if line and len(line) + 1 + len(piece) > width:
            lines.append(line)
            line = ""
        line = f"{line} {piece}" if line else f"  {piece}"
    return [*lines, line] if line else lines


_UNSET = object()


def _from_variables(option: Option, lookup: Callable[[str], str | None], where: str) -> Any:
    """The option's value from its variables as `lookup` gives them, or `_UNSET`; a malformed number stops the
    process (exit 1)."""
    variables = option.variables
    for index, env in enumerate(variables):
        raw = lookup(env.name)
        if not raw:
            continue
        items = _csv(raw) if option.repeat == ADDS else (raw,)
        try:
            values = tuple(option.parse(item) for item in items)
        except ValueError:
            kind = "a number" if option.parse in (int, float) else "a boolean" if option.parse is _boolean else "valid"
            raise SystemExit(f"gateway: error: {where}{env.name}={raw!r} is not {kind}") from None
        if env.scale != 1.0:
            values = tuple(value / env.scale for value in values)
        value = values if option.repeat else values[0]
        if value or index == len(variables) - 1:
            return value
    return _UNSET


def _from_environment(option: Option, config: ConfigFile) -> Any:
    """The option's value from its variables, else from the config file's keys of the same names, else its default."""
    value = _from_variables(option, os.environ.get, "environment variable ")
    if value is _UNSET and config.values:
        value = _from_variables(option, config.get, f"config file {config.path}: ")
    if value is _UNSET:
        return option.default() if callable(option.default) else option.default
    return value


def read(parser: argparse.ArgumentParser, args: argparse.Namespace | None = None) -> dict[str, Any]:
    """Every option's value by name: its flag's, else its environment's, else the config file's, else its
    default, then `finish`ed; `config_file` is the path of the file read (None: none).

    Every variable is read first, so a malformed one stops startup even when its flag is given. Without
    `args` (a subcommand that does not serve), only the options that have no flag are read.
    """
    options = [o for o in OPTIONS if args is not None or not o.flags]
    try:  # the flag's, AZUREML_CONFIG_FILE's or a config.json found: one that cannot be used is a usage error
        config = read_config(getattr(args, "config_file", None), getattr(args, "scorers", None), _VARIABLES)
    except ConfigFileError as exc:
        parser.error(str(exc))
    environment = {option.name: _from_environment(option, config) for option in options}
    environment["config_file"] = config.path
    values: dict[str, Any] = {}
    for option in options:
        given = None if option.name == "config_file" else getattr(args, option.name, None)
        value = environment[option.name]
        if option.repeat == ADDS:
            value = (*value, *(given or ()))
        elif option.repeat == REPLACES:
            value = tuple(given) if given else value
        elif given is not None:
            value = given
        if option.finish is not None:
            try:
                value = option.finish(value)
            except ValueError as exc:
                parser.error(str(exc))
        values[option.name] = value
    return values


_VARIABLES = [env.name for option in OPTIONS for env in option.variables]


def settings_kwargs(values: dict[str, Any]) -> dict[str, Any]:
    """The `Settings` keyword arguments among `read`'s values."""
    return {o.name: values[o.name] for o in OPTIONS if o.setting and o.name in values}
