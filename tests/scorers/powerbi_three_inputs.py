"""The seeds' Power BI endpoint declared with the gateway's contract: three typed inputs and GlobalParameters."""

import numpy as np
import pandas as pd

from gateway import Array, List, Results, Table, Value, contract


@contract(
    Inputs={
        "input1": Array.from_sample(np.array([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]], dtype="float64")),
        "input2": Table.from_sample(pd.DataFrame({"name": ["Sarah", "John"], "age": [25, 26]})),
        "input3": Value(float, example=0.0),
    },
    GlobalParameters=Value(float, default=1.0),
    results=Results(List(float)),
)
def run(Inputs, GlobalParameters):
    return {"Results": [float(Inputs["input1"].sum()) * GlobalParameters, float(len(Inputs["input2"]))]}
