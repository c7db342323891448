"""The batching benchmark's second model: a scikit-learn pipeline like the ones AutoML produces.

Scaling, one-hot encoding and a logistic regression over the five Power BI columns, fitted on synthetic
customers when the scorer starts. Unlike `bench_model` (a few numpy operations, ~0.1 ms a call), every
call pays scikit-learn's fixed cost (input validation, the column transformer: about a millisecond
whatever the rows): the kind of vectorized model dynamic batching is for.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

__all__ = ("fit", "predict")

_REFERENCE = np.datetime64("2025-01-01T00:00:00", "s")
_CITIES = ["Seattle", "Lisbon", "Utrecht", "Tokyo", "Paris", "São Paulo", "Nairobi", "Osaka"]
_model: Pipeline | None = None


def _features(frame: pd.DataFrame) -> pd.DataFrame:
    tenure = (_REFERENCE - frame["signup_date"].to_numpy(dtype="datetime64[s]")) / np.timedelta64(1, "D")
    return pd.DataFrame({
        "age": frame["age"].to_numpy(dtype=float),
        "income": frame["income"].to_numpy(dtype=float),
        "is_member": frame["is_member"].to_numpy(dtype=float),
        "city": frame["city"].to_numpy(dtype=object),
        "tenure_days": tenure,
    })


def fit(rows: int = 2_000, seed: int = 7) -> None:
    """Fit the pipeline on synthetic customers (deterministic)."""
    global _model
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "age": rng.integers(18, 90, rows),
        "income": rng.uniform(10_000, 150_000, rows).round(2),
        "is_member": rng.random(rows) < 0.5,
        "city": rng.choice(_CITIES, rows),
        "signup_date": _REFERENCE - rng.integers(0, 5_000, rows).astype("timedelta64[D]"),
    })
    churned = (-0.04 * (frame["age"] - 45) - 1.2 * frame["is_member"] + rng.normal(0, 0.7, rows)) > 0
    _model = Pipeline([
        ("prepare", ColumnTransformer([
            ("numbers", StandardScaler(), ["age", "income", "is_member", "tenure_days"]),
            ("city", OneHotEncoder(handle_unknown="ignore"), ["city"]),
        ])),
        ("classify", LogisticRegression(max_iter=1_000)),
    ]).fit(_features(frame), churned.to_numpy())


def predict(frame: pd.DataFrame) -> np.ndarray:
    """0/1 churn per row."""
    assert _model is not None, "fit() first"
    return _model.predict(_features(frame)).astype(np.int64)
