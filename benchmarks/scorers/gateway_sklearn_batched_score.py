"""The batching benchmark's scikit-learn scorer with dynamic batching: concurrent requests share calls."""

import bench_model  # next to this file: the gateway puts the script's folder on sys.path
import sklearn_model

from gateway import Batching, contract
from gateway.core.table import Table


def init():
    sklearn_model.fit()


@contract(Inputs={"data": Table(bench_model.COLUMNS)}, batching=Batching(max_rows=512, max_wait_ms=2.0))
def run(Inputs):
    return {"Results": sklearn_model.predict(Inputs["data"])}
