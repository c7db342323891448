"""Train the example's churn model on synthetic data and save it where `init()` looks for it.

    python examples/automl_powerbi/train.py [MODEL_DIR]    (default: examples/automl_powerbi/model)
"""

from __future__ import annotations

import sys
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

HERE = Path(__file__).parent
FEATURES = ["age", "income", "is_member", "city", "tenure_days"]
CITIES = ["Seattle", "Lisbon", "Utrecht", "Osaka", "Paris"]
REFERENCE_DATE = np.datetime64("2025-01-01")


def features(frame: pd.DataFrame) -> pd.DataFrame:
    """The model's inputs from a Power BI table: signup_date becomes tenure in days."""
    tenure = (REFERENCE_DATE - frame["signup_date"].to_numpy(dtype="datetime64[ns]")) / np.timedelta64(1, "D")
    return pd.DataFrame(
        {
            "age": frame["age"].to_numpy(dtype=float),
            "income": frame["income"].to_numpy(dtype=float),
            "is_member": frame["is_member"].to_numpy(dtype=float),
            "city": frame["city"].astype(object).to_numpy(),
            "tenure_days": tenure,
        }
    )


def synthetic_customers(rows: int, seed: int = 7) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "age": rng.integers(18, 80, rows),
            "income": rng.normal(50_000, 15_000, rows).round(2),
            "is_member": rng.random(rows) < 0.4,
            "city": rng.choice(CITIES, rows),
            "signup_date": REFERENCE_DATE - rng.integers(0, 3650, rows).astype("timedelta64[D]"),
        }
    )
    score = -0.04 * (frame["age"] - 45) - 1.2 * frame["is_member"] + (frame["income"] < 35_000) * 1.0
    churned = (score + rng.normal(0, 0.7, rows)) > 0
    return frame, churned.to_numpy()


def train(model_dir: Path) -> Path:
    frame, churned = synthetic_customers(2_000)
    model = Pipeline(
        [
            (
                "prepare",
                ColumnTransformer(
                    [
                        ("numbers", StandardScaler(), ["age", "income", "is_member", "tenure_days"]),
                        ("city", OneHotEncoder(handle_unknown="ignore"), ["city"]),
                    ]
                ),
            ),
            ("classify", LogisticRegression(max_iter=1_000)),
        ]
    )
    model.fit(features(frame), churned)
    model_dir.mkdir(parents=True, exist_ok=True)
    path = model_dir / "model.joblib"
    joblib.dump(model, path)
    return path


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "model"
    print(f"model saved to {train(target)}")
