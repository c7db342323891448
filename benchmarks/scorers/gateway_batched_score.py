"""The benchmark scorer with dynamic batching on: concurrent one-row requests merged into one run() call."""

import bench_model  # next to this file: the gateway puts the script's folder on sys.path

from gateway import Batching, Value, contract
from gateway.core.table import Table


@contract(
    Inputs={"data": Table(bench_model.COLUMNS)},
    GlobalParameters={"method": Value(str, default="predict", enum=list(bench_model.METHODS))},
    batching=Batching(max_rows=512, max_wait_ms=2.0),
)
def run(Inputs, GlobalParameters):
    data = Inputs["data"]
    if GlobalParameters["method"] == "predict_proba":
        return {"Results": bench_model.predict_proba(data)}
    return {"Results": bench_model.predict(data)}
