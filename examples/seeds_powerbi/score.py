"""The seeds' Power BI compatible endpoint: three typed inputs (numpy, pandas, standard Python) and
GlobalParameters, declared with inference-schema exactly as in the seed. Modernized: `import joblib`
(`sklearn.externals.joblib` is gone) and no `import azureml.train.automl` (not needed to serve it).

    python examples/seeds_powerbi/train.py model/
    python -m gateway --scorer examples/seeds_powerbi/score.py --model-dir model/
"""

import json  # noqa: F401  (as in the seed)
import os
import pickle  # noqa: F401  (as in the seed)

import joblib
import numpy as np
import pandas as pd
from inference_schema.parameter_types.numpy_parameter_type import NumpyParameterType
from inference_schema.parameter_types.pandas_parameter_type import PandasParameterType
from inference_schema.parameter_types.standard_py_parameter_type import (
    StandardPythonParameterType,
)
from inference_schema.schema_decorators import input_schema, output_schema
from sklearn.linear_model import Ridge  # noqa: F401  (as in the seed)


def init():
    global model
    # Replace filename if needed.
    model_path = os.path.join(os.getenv("AZUREML_MODEL_DIR"), "sklearn_regression_model.pkl")
    # Deserialize the model file back into a sklearn model.
    model = joblib.load(model_path)


# providing 3 sample inputs for schema generation
numpy_sample_input = NumpyParameterType(
    np.array([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]], dtype="float64")
)
pandas_sample_input = PandasParameterType(pd.DataFrame({"name": ["Sarah", "John"], "age": [25, 26]}))
standard_sample_input = StandardPythonParameterType(0.0)

# This is a nested input sample, any item wrapped by `ParameterType` will be described by schema
sample_input = StandardPythonParameterType(
    {"input1": numpy_sample_input, "input2": pandas_sample_input, "input3": standard_sample_input}
)

sample_global_parameters = StandardPythonParameterType(1.0)  # this is optional
sample_output = StandardPythonParameterType([1.0, 1.0])
outputs = StandardPythonParameterType({"Results": sample_output})  # 'Results' is case sensitive


@input_schema("Inputs", sample_input)
# 'Inputs' is case sensitive
@input_schema("GlobalParameters", sample_global_parameters)
# this is optional, 'GlobalParameters' is case sensitive
@output_schema(outputs)
def run(Inputs, GlobalParameters):
    # the parameters here have to match those in decorator, both 'Inputs' and
    # 'GlobalParameters' here are case sensitive
    try:
        data = Inputs["input1"]
        # data will be convert to target format
        assert isinstance(data, np.ndarray)
        result = model.predict(data)
        return result.tolist()
    except Exception as e:
        error = str(e)
        return error
