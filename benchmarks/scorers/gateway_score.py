"""The benchmark scorer for the gateway: the same AutoML / Power BI scorer, with the gateway's contract.

`Inputs.data` is a `Table` (strict, column-by-column conversion to a DataFrame with the declared dtypes)
and `GlobalParameters.method` an enum with a default. The gateway serializes numpy arrays itself, so the
predictions are returned as the array `bench_model` computes.
"""

import bench_model  # next to this file: the gateway puts the script's folder on sys.path

from gateway import Value, contract
from gateway.core.table import Table


def init():
    pass


@contract(
    Inputs={"data": Table(bench_model.COLUMNS)},
    GlobalParameters={"method": Value(str, default="predict", enum=list(bench_model.METHODS))},
)
def run(Inputs, GlobalParameters):
    data = Inputs["data"]
    if GlobalParameters["method"] == "predict_proba":
        return {"Results": bench_model.predict_proba(data)}
    return {"Results": bench_model.predict(data)}
