"""The benchmark's "model": a fixed linear score over the five Power BI columns, one int per row.

Imported by both scorers (`reference_score.py`, `gateway_score.py`) and by the in-process floor in
`benchmarks/run.py`, so all three do exactly the same vectorized work and the comparison measures the
servers, not the model. Depends on numpy and pandas only (the reference's environment has no gateway).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ("COLUMNS", "METHODS", "predict", "predict_proba")

# Declared column types, in order (the gateway's `Table` wire names).
COLUMNS = {"age": "int64", "income": "float64", "is_member": "bool", "city": "string", "signup_date": "datetime"}
METHODS = ("predict", "predict_proba")

_COASTAL = ("Seattle", "Lisbon", "Tokyo", "São Paulo", "Osaka")
_EPOCH = np.datetime64("2000-01-01T00:00:00", "s")
_DAY = np.timedelta64(1, "D")


def _linear(frame: pd.DataFrame) -> np.ndarray:
    age = frame["age"].to_numpy(dtype=np.float64)
    income = frame["income"].to_numpy(dtype=np.float64)
    member = frame["is_member"].to_numpy(dtype=np.float64)
    coastal = frame["city"].isin(_COASTAL).to_numpy(dtype=np.float64)
    days = (frame["signup_date"].to_numpy(dtype="datetime64[s]") - _EPOCH) / _DAY
    return 0.8 * age + income / 1000.0 + 15.0 * member + 10.0 * coastal - 0.01 * days


def predict(frame: pd.DataFrame) -> np.ndarray:
    """One int64 score per row."""
    return np.rint(_linear(frame)).astype(np.int64)


def predict_proba(frame: pd.DataFrame) -> np.ndarray:
    """[p(0), p(1)] per row, from a logistic of the same score."""
    p = 1.0 / (1.0 + np.exp(-(_linear(frame) - 100.0) / 25.0))
    return np.column_stack([1.0 - p, p])
