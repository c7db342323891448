"""`python -m gateway`: parse the command line (each serve option also from the environment) and delegate.

Serving is the default command (`serve` may be named); `check`, `swagger` and `powerquery` are subcommands.
"""

from __future__ import annotations

import argparse
import os
import sys
from gettext import gettext
from typing import Any, Sequence

from gateway.scoring.loader import export_model_dir, load_scorers
from gateway.server.auth import read_keys_file
from gateway.server.logs import configure_logging
from gateway.server.run import serve
from gateway.server.workers import WORKER_ENV, supervise
from gateway.settings import Settings
from gateway.version import __version__

from . import options
from .commands import COMMANDS

__all__ = ("PROG", "main", "build_parser", "settings_from_args", "load_scorers")

PROG = "python -m gateway"

DESCRIPTION = (
    "Serve Azure ML-style scoring scripts (init() once, run() per request) over HTTP. Serving is the default "
    "command; the others (each with --help) import a scorer without serving it or calling its init()."
)


def _serving(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    options.add_arguments(parser)
    parser.add_argument("--version", action="version", version=f"gateway {__version__}")
    parser.set_defaults(parser=parser, command=None)
    return parser


def build_parser() -> argparse.ArgumentParser:
    """The command line: the serve options (with no command, or `serve`), and one parser per subcommand."""
    layout: dict[str, Any] = {
        "prog": PROG,
        "description": DESCRIPTION,
        "epilog": options.epilog(),
        "formatter_class": argparse.RawDescriptionHelpFormatter,
    }
    parser = _serving(argparse.ArgumentParser(**layout))
    commands = parser.add_subparsers(title="commands", metavar="[COMMAND]")
    _serving(commands.add_parser("serve", help="serve the scorers (the default: no command)", **layout))
    for name, command in COMMANDS.items():
        sub = commands.add_parser(name, prog=f"{PROG} {name}", help=command.summary, description=command.description)
        command.arguments(sub)
        sub.set_defaults(parser=sub, command=command.run)
    return parser


def settings_from_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> Settings:
    """Validate the options (usage errors exit 2) and export AZUREML_MODEL_DIR for the scorers."""
    values = options.read(parser, args)
    keys_file = values["api_keys_file"]
    if keys_file:
        try:
            values["api_keys"] += tuple(read_keys_file(keys_file))
        except OSError as exc:
            parser.error(f"--api-keys-file {keys_file}: {exc.strerror}")
        if not values["api_keys"]:
            parser.error(f"--api-keys-file {keys_file} holds no key")
    try:
        settings = Settings(**options.settings_kwargs(values))
    except ValueError as exc:
        parser.error(str(exc))
    if settings.model_dir:
        export_model_dir(settings.model_dir)
    return settings


def _serve(parser: argparse.ArgumentParser, args: argparse.Namespace, argv: Sequence[str]) -> int:
    settings = settings_from_args(parser, args)
    configure_logging(settings.log_level, settings.log_format)
    if settings.workers > 1 and not os.environ.get(WORKER_ENV):
        return supervise(list(argv), settings)
    return serve(settings)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `python -m gateway` and the `gateway` command."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args, unknown = build_parser().parse_known_args(argv)
    parser: argparse.ArgumentParser = args.parser
    if unknown:  # reported by the parser of the command they were given to (argparse leaves them to the main one)
        parser.error(gettext("unrecognized arguments: %s") % " ".join(unknown))
    if args.command is None:
        return _serve(parser, args, argv)
    return int(args.command(parser, args))
