"""The benchmark scorer for the reference server (`azmlinfsrv`), in the AutoML / Power BI style.

inference-schema decorators: `Inputs={'data': PandasParameterType(sample df)}` and
`GlobalParameters={'method': ...}`, exactly as AutoML's generated scoring script declares them. The
reference converts `Inputs.data` (records) to a DataFrame with the sample's dtypes before run() is called.
json.dumps cannot write numpy arrays (the reference answers 500), so predictions are returned as a list.
"""

import bench_model  # next to this file: AML_APP_ROOT (the server's cwd) is on sys.path
import numpy as np
import pandas as pd
from inference_schema.parameter_types.numpy_parameter_type import NumpyParameterType
from inference_schema.parameter_types.pandas_parameter_type import PandasParameterType
from inference_schema.parameter_types.standard_py_parameter_type import (
    StandardPythonParameterType,
)
from inference_schema.schema_decorators import input_schema, output_schema

data_sample = PandasParameterType(pd.DataFrame({
    "age": pd.Series([42], dtype="int64"),
    "income": pd.Series([1234.5], dtype="float64"),
    "is_member": pd.Series([True], dtype="bool"),
    "city": pd.Series(["Seattle"], dtype="object"),
    "signup_date": pd.Series([pd.Timestamp("2020-01-02T03:04:05")], dtype="datetime64[ns]"),
}))
input_sample = StandardPythonParameterType({"data": data_sample})
method_sample = StandardPythonParameterType("predict")
sample_global_params = StandardPythonParameterType({"method": method_sample})
output_sample = StandardPythonParameterType({"Results": NumpyParameterType(np.array([0]))})


def init():
    pass


@input_schema("GlobalParameters", sample_global_params, convert_to_provided_type=False)
@input_schema("Inputs", input_sample)
@output_schema(output_sample)
def run(Inputs, GlobalParameters={"method": "predict"}):
    data = Inputs["data"]
    method = GlobalParameters.get("method", "predict") if isinstance(GlobalParameters, dict) else GlobalParameters
    if method == "predict":
        return {"Results": bench_model.predict(data).tolist()}
    if method == "predict_proba":
        return {"Results": bench_model.predict_proba(data).tolist()}
    raise ValueError("unknown method " + str(method))
