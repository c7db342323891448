"""Subcommands that import a scorer without serving it (and never call its init()): `check`."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Sequence

import orjson

from gateway.documents.jsonschema import contract_schema
from gateway.documents.openapi import (
    VERSIONS,
    DocumentOptions,
    build_document,
    user_documents,
)
from gateway.documents.powerquery.render import render_powerquery
from gateway.errors import StartupError
from gateway.scoring.check import Verdict, check_payload, check_with_schema
from gateway.scoring.loader import load_scorer
from gateway.scoring.scorer import Registry, Scorer
from gateway.settings import Settings, parse_scorer_option

__all__ = ("check_main", "swagger_main", "powerquery_main", "load_one")

EXIT_VALID, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def load_one(parser: argparse.ArgumentParser, target: str) -> Scorer:
    """Import one `--scorer` target for a subcommand; failures are usage errors (exit 2)."""
    try:
        return load_scorer(parse_scorer_option(target))
    except (StartupError, ValueError) as exc:
        parser.error(str(exc))


def _check_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m gateway check",
        description="Check request payloads against a scorer's contract: offline from its script (--scorer), or "
        "against the contract a running gateway publishes (--url). Exit 0: all valid; 1: some invalid; 2: usage.",
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--scorer", metavar="[NAME=]TARGET", help="the scorer, as for serving (init() is not called)")
    source.add_argument("--url", help="base URL of a running gateway, e.g. http://127.0.0.1:5001")
    parser.add_argument("--name", help="with --url: which scorer (default: the default scorer)")
    parser.add_argument("--export-schema", action="store_true", help="print the whole contract as one JSON Schema")
    parser.add_argument("payloads", nargs="*", type=Path, help="JSON files holding request bodies")
    return parser


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


def check_main(argv: Sequence[str]) -> int:
    parser = _check_parser()
    args = parser.parse_args(argv)
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


def swagger_main(argv: Sequence[str]) -> int:
    """`python -m gateway swagger --scorer TARGET [--version 2|3|3.1]`: print the scorer's document."""
    parser = argparse.ArgumentParser(
        prog="python -m gateway swagger",
        description="Print the Swagger/OpenAPI document the gateway publishes for a scorer (init() is not called).",
    )
    parser.add_argument("--scorer", required=True, metavar="[NAME=]TARGET")
    parser.add_argument("--version", default="2", choices=list(VERSIONS), help="2 (default), 3 or 3.1")
    parser.add_argument("--api-key-required", action="store_true", help="document the Bearer key requirement")
    args = parser.parse_args(argv)
    scorer = load_one(parser, args.scorer)
    dialect = VERSIONS[args.version]
    try:
        document = user_documents(scorer).get(dialect)
    except StartupError as exc:
        parser.error(str(exc))
    if document is None:
        settings = Settings(
            service_name=os.environ.get("SERVICE_NAME") or "ML service",
            service_version=os.environ.get("SERVICE_VERSION") or "1.0",
            path_prefix=os.environ.get("SERVICE_PATH_PREFIX") or "",
        )
        options = dataclasses.replace(DocumentOptions.of(settings), secured=args.api_key_required)
        document = build_document(scorer, Registry([scorer]).path_of(scorer), dialect, options)
    sys.stdout.write(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode() + "\n")
    return EXIT_VALID


def powerquery_main(argv: Sequence[str]) -> int:
    """`python -m gateway powerquery --scorer TARGET --url BASE_URL`: print the Power Query (M) function."""
    parser = argparse.ArgumentParser(
        prog="python -m gateway powerquery",
        description="Print the Power Query (M) function that scores a Power BI table through the gateway "
        "(init() is not called). Paste it in Power BI: Get Data > Blank query > Advanced editor.",
    )
    parser.add_argument("--scorer", required=True, metavar="[NAME=]TARGET")
    parser.add_argument("--url", required=True, help="the gateway's public base URL, e.g. https://scoring.example.com")
    parser.add_argument("--batch-size", type=int, default=1000, help="rows per request (1000)")
    parser.add_argument("--no-key", action="store_true", help="the gateway has no API keys: no apiKey parameter")
    args = parser.parse_args(argv)
    scorer = load_one(parser, args.scorer)
    try:
        text = render_powerquery(scorer, args.url, batch_size=args.batch_size, key_header=not args.no_key)
    except ValueError as exc:
        parser.error(str(exc))
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return EXIT_VALID
