"""In-process cost of table conversion: orjson parsing vs the gateway's two paths vs `pandas.DataFrame(records)`.

    python benchmarks/conversion.py [--rows 10000 100000] [--repeat 15] [--json PATH]

Builds Power BI-style records payloads (int64 age, float64 income, bool is_member, string city,
naive ISO datetime signup_date) as bytes and reports the median time of
(a) `orjson.loads`, (b) `orjson.loads` + `Table.decode`, (c) `orjson.loads` + `pandas.DataFrame(records)`,
(d) (c) + `pd.to_datetime` of the date column (the same dtypes as (b), still without any checks),
(e) the typed path a request really takes (`Contract.bind_body`: msgspec's typed rows, then `Table`), and the
ratios b/a, b/c and e/d. The garbage collector stays on, as in a server.

`--text-values` also measures (f) the same rows with every number and boolean as its text (as Azure Stream
Analytics and Excel send them) through `Contract.bind_body(..., text_values=True)`, which gives the same
frame, and the ratio f/e.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

import orjson
import pandas as pd

from gateway.core.declare import Contract
from gateway.core.decoding import DecodeContext
from gateway.core.specs import Object
from gateway.core.table import Table

sys.path.insert(0, str(Path(__file__).parent))
import bench_payload  # noqa: E402  (the load benchmark's payloads, so both measure the same rows)

__all__ = ("TABLE", "payload", "measure", "main")

TABLE = Table({"age": "int64", "income": "float64", "is_member": "bool", "city": "string", "signup_date": "datetime"})
CONTRACT = Contract({"Inputs": Object({"data": TABLE})})


def payload(rows: int, seed: int = 0) -> bytes:
    """A records payload of `rows` Power BI-style rows (the load benchmark's rows), as the table's bytes."""
    return orjson.dumps(bench_payload.rows(rows, seed))


def measure(fn: Callable[[], Any], repeat: int) -> float:
    """Median wall time of `fn` in seconds."""
    times = []
    gc.collect()
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _decode(raw: bytes) -> pd.DataFrame:
    ctx = DecodeContext()
    frame = TABLE.decode(orjson.loads(raw), "Inputs.data", ctx)
    if ctx.problems or frame is None:
        raise AssertionError([str(p) for p in ctx.problems.items])
    return frame


def _typed(envelope: bytes) -> pd.DataFrame:
    kwargs, ctx = CONTRACT.bind_body(envelope)
    if ctx.problems:
        raise AssertionError([str(p) for p in ctx.problems.items])
    return kwargs["Inputs"]["data"]


def as_texts(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each row with its numbers and booleans written as their JSON text ("42", "52000.5", "true")."""
    return [{k: v if isinstance(v, str) else orjson.dumps(v).decode() for k, v in row.items()} for row in rows]


def _texts(envelope: bytes) -> pd.DataFrame:
    kwargs, ctx = CONTRACT.bind_body(envelope, text_values=True)
    if ctx.problems:
        raise AssertionError([str(p) for p in ctx.problems.items])
    return kwargs["Inputs"]["data"]


def _dataframe_with_dates(raw: bytes) -> pd.DataFrame:
    frame = pd.DataFrame(orjson.loads(raw))
    frame["signup_date"] = pd.to_datetime(frame["signup_date"], format="ISO8601")
    return frame


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    parser.add_argument("--text-values", action="store_true", help="also measure (f): the rows as texts")
    args = parser.parse_args(argv)
    results = []
    print(f"pandas {pd.__version__}, orjson {orjson.__version__}, python {sys.version.split()[0]}")
    print(
        f"{'rows':>8} {'MB':>6} {'(a) loads':>11} {'(b) +decode':>12} {'(c) +DataFrame':>15} "
        f"{'(d) (c)+dates':>14} {'(e) typed':>11} {'b/a':>6} {'b/c':>6} {'e/d':>6}"
        + (f" {'(f) texts':>11} {'f/e':>6}" if args.text_values else "")
    )
    for rows in args.rows:
        raw = payload(rows)
        envelope = b'{"Inputs": {"data": ' + raw + b"}}"
        _decode(raw)  # warm up, and check both paths decode cleanly to the same frame
        pd.testing.assert_frame_equal(_typed(envelope), _decode(raw))
        a = measure(lambda: orjson.loads(raw), args.repeat)
        b = measure(lambda: _decode(raw), args.repeat)
        c = measure(lambda: pd.DataFrame(orjson.loads(raw)), args.repeat)
        d = measure(lambda: _dataframe_with_dates(raw), args.repeat)
        e = measure(lambda: _typed(envelope), args.repeat)
        texts_column = ""
        if args.text_values:
            texts = b'{"Inputs": {"data": ' + orjson.dumps(as_texts(bench_payload.rows(rows))) + b"}}"
            pd.testing.assert_frame_equal(_texts(texts), _decode(raw))
            f = measure(lambda: _texts(texts), args.repeat)
            texts_column = f" {f * 1e3:>9.1f}ms {f / e:>6.2f}"
        results.append(
            {
                "rows": rows,
                "bytes": len(raw),
                "loads_s": a,
                "loads_decode_s": b,
                "loads_dataframe_s": c,
                "loads_dataframe_dates_s": d,
                "typed_s": e,
                "b_over_a": b / a,
                "b_over_c": b / c,
                "e_over_d": e / d,
            }
        )
        print(
            f"{rows:>8} {len(raw) / 1e6:>6.1f} {a * 1e3:>9.1f}ms {b * 1e3:>10.1f}ms {c * 1e3:>13.1f}ms "
            f"{d * 1e3:>12.1f}ms {e * 1e3:>9.1f}ms {b / a:>6.2f} {b / c:>6.2f} {e / d:>6.2f}{texts_column}"
        )
        if args.text_values:
            results[-1].update(texts_s=f, f_over_e=f / e)
    if args.json:
        document = {"pandas": pd.__version__, "orjson": orjson.__version__, "results": results}
        args.json.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
