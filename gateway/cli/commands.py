"""The subcommands: `check`, `swagger` and `powerquery` import a scorer without serving it (and never call
its init()); `replay` (`cli/replay.py`) serves it in process to send captured traffic again. Each is a
`Command` in `COMMANDS`: the arguments of its parser, and what it does with them."""

from __future__ import annotations

import argparse
import dataclasses
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import orjson

from gateway.documents.jsonschema import contract_schema
from gateway.documents.openapi import (
    VERSIONS,
    DocumentOptions,
    build_document,
    user_documents,
)
from gateway.documents.powerquery.render import render_powerquery
from gateway.errors import StartupError, UnsupportedScorer
from gateway.scoring.check import Verdict, check_payload, check_with_schema
from gateway.scoring.loader import load_scorer
from gateway.scoring.scorer import Registry, Scorer
from gateway.settings import Settings, parse_scorer_option

from . import options, replay

__all__ = ("COMMANDS", "Command", "load_one")

EXIT_VALID, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


@dataclass(frozen=True)
class Command:
    """A subcommand: its one-line summary and description, its arguments, and what it does (the exit code)."""

    summary: str
    description: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.ArgumentParser, argparse.Namespace], int]


def load_one(parser: argparse.ArgumentParser, target: str) -> Scorer:
    """Import one `--scorer` target for a subcommand; failures are usage errors (exit 2)."""
    try:
        return load_scorer(parse_scorer_option(target))
    except (StartupError, ValueError) as exc:
        parser.error(str(exc))


def _check_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--scorer", metavar="[NAME=]TARGET", help="the scorer, as for serving (init() is not called)")
    source.add_argument("--url", help="base URL of a running gateway, e.g. http://127.0.0.1:5001")
    parser.add_argument("--name", help="with --url: which scorer (default: the default scorer)")
    parser.add_argument("--export-schema", action="store_true", help="print the whole contract as one JSON Schema")
    parser.add_argument("payloads", nargs="*", type=Path, help="JSON files holding request bodies")


def _fetch_schema(parser: argparse.ArgumentParser, base: str, name: str | None) -> dict[str, Any]:
    path = f"/scorers/{urllib.parse.quote(name)}/contract.json" if name else "/contract.json"
    url = base.rstrip("/") + path
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            document = orjson.loads(response.read())
    except urllib.error.HTTPError as exc:
        parser.error(f"{url} answered {exc.code}: {exc.read().decode(errors='replace')}")
    except (urllib.error.URLError, OSError, orjson.JSONDecodeError) as exc:
        parser.error(f"cannot read the contract from {url}: {exc}")
    if not isinstance(document, dict):
        parser.error(f"{url} did not answer a JSON Schema object")
    return document


def _report(name: str, verdict: Verdict) -> None:
    if verdict.valid:
        print(f"{name}: valid")
        return
    more = f" (first {len(verdict.problems)} shown)" if verdict.total > len(verdict.problems) else ""
    print(f"{name}: invalid, {verdict.total} error{'s' if verdict.total != 1 else ''}{more}")
    for problem in verdict.problems:
        print(f"  {problem.path}: {problem.error}")


def check(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """`check --scorer TARGET | --url BASE payload.json ...`: report each payload against the contract."""
    if args.name and not args.url:
        parser.error("--name goes with --url (with --scorer, the target is the scorer)")
    scorer = load_one(parser, args.scorer) if args.scorer else None
    schema = contract_schema(scorer) if scorer is not None else _fetch_schema(parser, args.url, args.name)
    if args.export_schema:
        sys.stdout.write(orjson.dumps(schema, option=orjson.OPT_INDENT_2).decode() + "\n")
        if not args.payloads:
            return EXIT_VALID
    elif not args.payloads:
        parser.error("give payload files to check, or --export-schema")
    bodies = []
    for path in args.payloads:
        try:
            bodies.append((str(path), path.read_bytes()))
        except OSError as exc:
            parser.error(f"cannot read {path}: {exc.strerror}")
    invalid = 0
    for name, body in bodies:
        verdict = check_payload(scorer, body) if scorer is not None else check_with_schema(schema, body)
        _report(name, verdict)
        invalid += not verdict.valid
    return EXIT_INVALID if invalid else EXIT_VALID


def _swagger_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scorer", required=True, metavar="[NAME=]TARGET")
    parser.add_argument("--version", default="2", choices=list(VERSIONS), help="2 (default), 3 or 3.1")
    parser.add_argument("--api-key-required", action="store_true", help="document the Bearer key requirement")


def swagger(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """`swagger --scorer TARGET [--version 2|3|3.1]`: print the scorer's document."""
    scorer = load_one(parser, args.scorer)
    dialect = VERSIONS[args.version]
    try:
        document = user_documents(scorer).get(dialect)
    except StartupError as exc:
        parser.error(str(exc))
    if document is None:
        settings = Settings(**options.settings_kwargs(options.read(parser)))
        documented = dataclasses.replace(DocumentOptions.of(settings), secured=args.api_key_required)
        document = build_document(scorer, Registry([scorer]).path_of(scorer), dialect, documented)
    sys.stdout.write(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode() + "\n")
    return EXIT_VALID


def _powerquery_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scorer", required=True, metavar="[NAME=]TARGET")
    parser.add_argument("--url", required=True, help="the gateway's public base URL, e.g. https://scoring.example.com")
    parser.add_argument("--batch-size", type=int, default=1000, help="rows per request (1000)")
    parser.add_argument("--no-key", action="store_true", help="the gateway has no API keys: no apiKey parameter")


def powerquery(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """`powerquery --scorer TARGET --url BASE_URL`: print the Power Query (M) function."""
    scorer = load_one(parser, args.scorer)
    try:
        text = render_powerquery(scorer, args.url, batch_size=args.batch_size, key_header=not args.no_key)
    except (ValueError, UnsupportedScorer) as exc:
        parser.error(str(exc))
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return EXIT_VALID


COMMANDS: dict[str, Command] = {
    "check": Command(
        "check payloads against a scorer's contract",
        "Check request payloads against a scorer's contract: offline from its script (--scorer), or "
        "against the contract a running gateway publishes (--url). Exit 0: all valid; 1: some invalid; 2: usage.",
        _check_arguments,
        check,
    ),
    "swagger": Command(
        "print a scorer's Swagger/OpenAPI document",
        "Print the Swagger/OpenAPI document the gateway publishes for a scorer (init() is not called).",
        _swagger_arguments,
        swagger,
    ),
    "powerquery": Command(
        "print the Power Query function for Power BI",
        "Print the Power Query (M) function that scores a Power BI table through the gateway "
        "(init() is not called). Paste it in Power BI: Get Data > Blank query > Advanced editor.",
        _powerquery_arguments,
        powerquery,
    ),
    "replay": Command(replay.SUMMARY, replay.DESCRIPTION, replay.arguments, replay.replay),
}
