"""The Power BI request bodies and the in-process floor.

Body: what Power BI sends to an AutoML-style endpoint, `{"Inputs": {"data": [row, ...]},
"GlobalParameters": {"method": "predict"}}`, rows of int `age`, float `income`, bool `is_member`, string
`city` and a naive ISO-8601 `signup_date` (as Power Query's Json.FromValue writes them); deterministic.

Floor: the least a Python server has to do for one request, timed in a loop in this process:
`orjson.loads(body)` → `pandas.DataFrame(rows)` with `signup_date` parsed by `pandas.to_datetime`
(so the frame has the declared dtypes) → the same `bench_model.predict` the scorers call →
`orjson.dumps({"Results": predictions})`. No validation, no HTTP.
"""

from __future__ import annotations

import gc
import random
import sys
import time
from pathlib import Path
from typing import Any

import orjson
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent / "scorers"))
import bench_model  # noqa: E402

__all__ = ("rows", "body", "expected_results", "floor", "merge_floors")

CITIES = ("Seattle", "Lisbon", "Utrecht", "Tokyo", "Paris", "São Paulo", "Nairobi", "Osaka")


def rows(n: int, seed: int = 0) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [
        {
            "age": rng.randint(18, 90),
            "income": round(rng.uniform(10_000, 150_000), 2),
            "is_member": rng.random() < 0.5,
            "city": rng.choice(CITIES),
            "signup_date": f"20{rng.randint(10, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            f"T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}",
        }
        for _ in range(n)
    ]


def body(n: int) -> bytes:
    return orjson.dumps({"Inputs": {"data": rows(n)}, "GlobalParameters": {"method": "predict"}})


def _frame(data: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(data)
    frame["signup_date"] = pd.to_datetime(frame["signup_date"], format="ISO8601")
    return frame


def expected_results(payload: bytes) -> list[int]:
    return bench_model.predict(_frame(orjson.loads(payload)["Inputs"]["data"])).tolist()


def floor(payload: bytes, seconds: float) -> dict[str, Any]:
    """Loop loads + DataFrame + predict + dumps for about `seconds` (at least 5 times): the iterations
    and the seconds spent in each step (merge several calls with `merge_floors`)."""
    steps = {"loads": 0.0, "frame": 0.0, "model": 0.0, "dumps": 0.0}
    clock = time.perf_counter
    n = 0
    gc.collect()
    start = clock()
    while True:
        t0 = clock()
        data = orjson.loads(payload)["Inputs"]["data"]
        t1 = clock()
        frame = _frame(data)
        t2 = clock()
        predictions = bench_model.predict(frame)
        t3 = clock()
        orjson.dumps({"Results": predictions}, option=orjson.OPT_SERIALIZE_NUMPY)
        t4 = clock()
        steps["loads"] += t1 - t0
        steps["frame"] += t2 - t1
        steps["model"] += t3 - t2
        steps["dumps"] += t4 - t3
        n += 1
        if n >= 5 and t4 - start >= seconds:
            break
    return {"iterations": n, "steps": steps}


def merge_floors(loops: list[dict[str, Any]]) -> dict[str, Any]:
    """Requests/s over all the loops (iterations ÷ time), each loop's, and the mean ms of each step."""
    n = sum(loop["iterations"] for loop in loops)
    steps = {k: sum(loop["steps"][k] for loop in loops) for k in loops[0]["steps"]}
    total = sum(steps.values())
    return {
        "requests_per_s": n / total,
        "iterations": n,
        "runs": [round(loop["iterations"] / sum(loop["steps"].values()), 2) for loop in loops],
        "step_ms": {k: round(v / n * 1000, 4) for k, v in steps.items()},
    }
