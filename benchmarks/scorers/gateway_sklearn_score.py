"""The batching benchmark's scikit-learn scorer without batching: one pipeline call per request."""

import bench_model  # next to this file: the gateway puts the script's folder on sys.path
import sklearn_model

from gateway import contract
from gateway.core.table import Table


def init():
    sklearn_model.fit()


@contract(Inputs={"data": Table(bench_model.COLUMNS)})
def run(Inputs):
    return {"Results": sklearn_model.predict(Inputs["data"])}
