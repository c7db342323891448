# ---------------------------------------------------------
# Written the way AutoML's generated scoring_file_v_2_0_0.py is (its telemetry imports aside, which
# need Azure's own packages): module-level samples, a model loaded in init(), GlobalParameters passed
# through unconverted. The "describe" method reports what run() received, for the tests.
# ---------------------------------------------------------
import logging

import numpy as np
import pandas as pd
from inference_schema.parameter_types.numpy_parameter_type import NumpyParameterType
from inference_schema.parameter_types.pandas_parameter_type import PandasParameterType
from inference_schema.parameter_types.standard_py_parameter_type import (
    StandardPythonParameterType,
)
from inference_schema.schema_decorators import input_schema, output_schema

data_sample = PandasParameterType(pd.DataFrame({
    "age": pd.Series([0], dtype="int64"),
    "balance": pd.Series([0.0], dtype="float64"),
    "job": pd.Series(["example_value"], dtype="object"),
    "default": pd.Series([False], dtype="bool"),
    "last_contact": pd.Series(["2000-1-1"], dtype="datetime64[ns]"),
}))
input_sample = StandardPythonParameterType({'data': data_sample})
method_sample = StandardPythonParameterType("predict")
sample_global_params = StandardPythonParameterType({"method": method_sample})

result_sample = NumpyParameterType(np.array([0.0]))
output_sample = StandardPythonParameterType({'Results': result_sample})
logger = logging.getLogger('azureml.automl.core.scoring_script_v2')


def init():
    global model
    model = lambda frame: frame["balance"].fillna(0.0).to_numpy() * 2  # noqa: E731 - stands in for joblib.load(...)
    logger.info("Loading successful.")


def _describe(frame):
    return {
        "dtypes": {str(k): str(v) for k, v in frame.dtypes.items()},
        "index": frame.index.tolist(),
        "cells": {str(c): [None if pd.isna(v) else str(v) for v in frame[c]] for c in frame.columns},
        "missing": {str(c): [type(v).__name__ for v in frame[c] if pd.isna(v)] for c in frame.columns},
    }


@input_schema('GlobalParameters', sample_global_params, convert_to_provided_type=False)
@input_schema('Inputs', input_sample)
@output_schema(output_sample)
def run(Inputs, GlobalParameters={"method": "predict"}):
    data = Inputs['data']
    if GlobalParameters.get("method", None) == "describe":
        return {'Results': _describe(data)}
    if GlobalParameters.get("method", None) == "predict":
        result = model(data)
    else:
        raise Exception(f"Invalid predict method argument received. GlobalParameters: {GlobalParameters}")
    if isinstance(result, pd.DataFrame):
        result = result.values
    return {'Results': result.tolist()}
