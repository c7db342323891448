"""AutoML-style Power BI scorer: `Inputs.data` is a table of customers, `GlobalParameters.method` picks
`predict` (churn 0/1 per row) or `predict_proba` ([p(stay), p(churn)] per row).

    python examples/automl_powerbi/train.py
    python -m gateway --scorer examples/automl_powerbi/score.py --model-dir examples/automl_powerbi/model
"""

from __future__ import annotations

import os

import joblib
import pandas as pd
from train import features  # a sibling module: the gateway puts the script's folder on sys.path

from gateway import Json, Value, contract

model = None


def init() -> None:
    global model
    model = joblib.load(os.path.join(os.environ["AZUREML_MODEL_DIR"], "model.joblib"))


@contract(
    Inputs={"data": Json(example=[{"age": 42, "income": 52000.5, "is_member": True, "city": "Seattle",
                                   "signup_date": "2021-03-04T10:00:00"}])},
    GlobalParameters={"method": Value(str, default="predict", enum=["predict", "predict_proba"])},
)
def run(Inputs, GlobalParameters):
    frame = pd.DataFrame(Inputs["data"])
    frame["signup_date"] = pd.to_datetime(frame["signup_date"], format="ISO8601")
    if GlobalParameters["method"] == "predict_proba":
        return {"Results": model.predict_proba(features(frame))}
    return {"Results": model.predict(features(frame)).astype(int)}
