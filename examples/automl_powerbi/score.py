"""AutoML-style Power BI scorer: `Inputs.data` is a table of customers, `GlobalParameters.method` picks
`predict` (churn 0/1 per row) or `predict_proba` ([p(stay), p(churn)] per row).

    python examples/automl_powerbi/train.py
    python -m gateway --scorer examples/automl_powerbi/score.py --model-dir examples/automl_powerbi/model
"""

from __future__ import annotations

import os

import joblib
import numpy as np
from train import (
    features,  # a sibling module: the gateway puts the script's folder on sys.path
)

from gateway import Json, List, Results, Table, Value, contract

model = None

CUSTOMERS = Table(
    {"age": "int64", "income": "float64", "is_member": "bool", "city": "string", "signup_date": "datetime"}
)


def init() -> None:
    global model
    model = joblib.load(os.path.join(os.environ["AZUREML_MODEL_DIR"], "model.joblib"))


@contract(
    Inputs={"data": CUSTOMERS},
    GlobalParameters={"method": Value(str, default="predict", enum=["predict", "predict_proba"])},
    # one result per row: 0/1 for predict, [p(stay), p(churn)] for predict_proba
    results=Results(List(Json(example=0))),
)
def run(Inputs, GlobalParameters):
    """`Inputs["data"]` arrives as a DataFrame with exactly these columns, in this order, with these dtypes."""
    frame = Inputs["data"]
    if GlobalParameters["method"] == "predict_proba":
        return {"Results": model.predict_proba(features(frame))}
    return {"Results": model.predict(features(frame)).astype(np.int64)}
