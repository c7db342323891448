"""A Studio (classic) request-response service: the anomaly-detection sample's shape.

Studio clients send `{"Inputs": {"input1": {"ColumnNames": [...], "Values": [[...]]}}, "GlobalParameters": {...}}`
with every value as a string, and read `Results.output1.value`. The gateway answers a classic-form request
in the classic form (`{"type": "table", "value": {"ColumnNames", "ColumnTypes", "Values"}}`), at `/score`
and at the classic path `.../execute?api-version=2.0`.

    python -m gateway --scorer examples/studio_classic/score.py
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gateway import Table, Value, contract


@contract(
    Inputs={"input1": Table({"Time": "string", "Data": "string"}, orient="classic")},
    GlobalParameters={
        "zspikedetector.sensitivity": Value(str, default="3"),
        "detectors.spikesdips": Value(str, default="Both", enum=["Both", "Spikes", "Dips"]),
    },
)
def run(Inputs, GlobalParameters):
    """Flag points whose z-score exceeds the sensitivity (the classic service's ZSpike column)."""
    frame = Inputs["input1"]
    data = pd.to_numeric(frame["Data"]).to_numpy(dtype=float)
    spread = data.std() or 1.0
    score = (data - data.mean()) / spread
    sensitivity = float(GlobalParameters["zspikedetector.sensitivity"])
    direction = GlobalParameters["detectors.spikesdips"]
    hits = np.abs(score) if direction == "Both" else (score if direction == "Spikes" else -score)
    return pd.DataFrame(
        {
            "Time": pd.to_datetime(frame["Time"], format="%m/%d/%Y %H:%M:%S"),
            "OriginalData": data,
            "ZSpike": (hits > sensitivity).astype(np.int32),
            "ZScore": score,
        }
    )
