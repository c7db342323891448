"""`python -m gateway replay DIR_OR_FILE (--scorer TARGET | --url URL)`: send every captured request again,
to scorers served in process (their init() called) or to a running gateway, and say what changed.

Exit 0 when nothing regressed (no answer changed, no request newly failing), 1 when something did,
2 on usage errors.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
import orjson
from aiohttp import web

from gateway.errors import StartupError
from gateway.scoring.loader import export_model_dir, load_scorers
from gateway.scoring.replay import (
    VERDICTS,
    Recorded,
    Verdict,
    judge,
    percentile,
    read_capture,
)
from gateway.server.app import create_app
from gateway.settings import Settings, parse_scorer_option

__all__ = ("SUMMARY", "DESCRIPTION", "arguments", "replay")

SUMMARY = "send captured traffic again and compare the answers"
DESCRIPTION = (
    "Replay a traffic capture (--capture DIR) against scorers served in process (--scorer, init() is called) "
    "or a running gateway (--url): each request is sent again and its answer compared with the recorded one "
    "(status; JSON equal, numbers within --rtol/--atol). Exit 0: nothing regressed; 1: an answer changed or a "
    "request newly fails; 2: usage."
)
EXIT_SAME, EXIT_REGRESSED = 0, 1


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", metavar="DIR_OR_FILE", type=Path, help="a capture directory or one of its files")
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--scorer", action="append", metavar="[NAME=]TARGET", help="serve this scorer in process")
    target.add_argument("--url", help="base URL of a running gateway, e.g. http://127.0.0.1:5001")
    parser.add_argument("--model-dir", help="AZUREML_MODEL_DIR for --scorer")
    parser.add_argument("--api-key", help="sent as Authorization: Bearer KEY (with --url)")
    parser.add_argument("--rtol", type=float, default=0.0, help="relative tolerance for numbers (default 0)")
    parser.add_argument("--atol", type=float, default=0.0, help="absolute tolerance for numbers (default 0)")
    parser.add_argument("--report", type=Path, help="write every request's verdict and differences as JSON here")
    parser.add_argument("--show", type=int, default=10, help="how many differences to print (default 10)")


def replay(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    try:
        recorded = list(read_capture(args.source))
    except (OSError, ValueError) as exc:
        parser.error(str(exc))
    if not recorded:
        parser.error(f"{args.source} holds no scored requests")
    try:
        verdicts = asyncio.run(_run(args, recorded))
    except StartupError as exc:
        parser.error(str(exc))
    except aiohttp.ClientError as exc:
        parser.error(f"cannot reach {args.url}: {exc}")
    print(_summary(args, verdicts))
    if args.report is not None:
        args.report.write_bytes(orjson.dumps(_report(verdicts), option=orjson.OPT_INDENT_2))
    regressed = any(v.verdict in ("changed", "newly failing") for v in verdicts)
    return EXIT_REGRESSED if regressed else EXIT_SAME


async def _run(args: argparse.Namespace, recorded: list[Recorded]) -> list[Verdict]:
    if args.url:
        return await _send_all(args.url.rstrip("/"), args, recorded)
    if args.model_dir:
        export_model_dir(args.model_dir)
    scorers = load_scorers([parse_scorer_option(target) for target in args.scorer])
    runner = web.AppRunner(create_app(Settings(), scorers), access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        return await _send_all(f"http://127.0.0.1:{port}", args, recorded)
    finally:
        await runner.cleanup()


async def _send_all(base: str, args: argparse.Namespace, recorded: list[Recorded]) -> list[Verdict]:
    verdicts: list[Verdict] = []
    progress = sys.stderr.isatty() and len(recorded) >= 20
    headers = {"Authorization": f"Bearer {args.api_key}"} if args.api_key else {}
    async with aiohttp.ClientSession(base, headers=headers, timeout=aiohttp.ClientTimeout(total=300)) as session:
        for done, request in enumerate(recorded, 1):
            verdicts.append(await _send(session, request, args))
            if progress and (done == len(recorded) or done % max(1, len(recorded) // 100) == 0):
                filled = done * 30 // len(recorded)
                sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{len(recorded)}")
                sys.stderr.flush()
    if progress:
        sys.stderr.write("\n")
    return verdicts


async def _send(session: aiohttp.ClientSession, request: Recorded, args: argparse.Namespace) -> Verdict:
    if request.body is None and request.method != "GET":
        return Verdict(request, "skipped", note="the capture kept no body (truncated or streamed)")
    url = request.route + (f"?{request.query}" if request.query else "")
    headers = {"Content-Type": request.content_type} if request.content_type else {}
    started = time.perf_counter()
    async with session.request(request.method, url, data=request.body, headers=headers) as response:
        raw = await response.read()
    elapsed = (time.perf_counter() - started) * 1000.0
    try:
        answer: Any = orjson.loads(raw)
    except orjson.JSONDecodeError:
        answer = raw.decode("utf-8", "replace")
    return judge(request, response.status, answer, elapsed, rtol=args.rtol, atol=args.atol)


def _summary(args: argparse.Namespace, verdicts: list[Verdict]) -> str:
    target = args.url or ", ".join(args.scorer)
    counts = {name: sum(v.verdict == name for v in verdicts) for name in VERDICTS}
    lines = [f"replayed {len(verdicts)} request(s) from {args.source} against {target}"]
    lines += [f"  {name:<14} {count}" for name, count in counts.items()]
    old = [v.recorded.duration_ms for v in verdicts if v.duration_ms is not None]
    new = [v.duration_ms for v in verdicts if v.duration_ms is not None]
    if new:
        lines.append("latency ms      p50      p99")
        for label, values in (("recorded", old), ("now", new)):
            p50, p99 = percentile(values, 0.5), percentile(values, 0.99)
            lines.append(f"  {label:<10} {p50:8.2f} {p99:8.2f}")
    shown = 0
    for verdict in verdicts:
        for difference in verdict.differences:
            if shown == 0:
                lines.append("first differences:")
            if shown >= args.show:
                break
            lines.append(
                f"  {verdict.recorded.line} (request id {verdict.recorded.request_id}, {verdict.verdict}) "
                f"{difference.path}: {_short(difference.old)} -> {_short(difference.new)}"
            )
            shown += 1
    return "\n".join(lines)


def _short(value: Any) -> str:
    text = orjson.dumps(value).decode() if not isinstance(value, str) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _report(verdicts: list[Verdict]) -> dict[str, Any]:
    return {
        "summary": {name: sum(v.verdict == name for v in verdicts) for name in VERDICTS},
        "requests": [
            {
                "line": v.recorded.line, "request_id": v.recorded.request_id, "route": v.recorded.route,
                "verdict": v.verdict, "note": v.note or None, "recorded_status": v.recorded.status, "status": v.status,
                "recorded_ms": v.recorded.duration_ms, "ms": v.duration_ms,
                "differences": [{"path": d.path, "recorded": d.old, "now": d.new} for d in v.differences],
            }
            for v in verdicts
        ],
    }
