"""The seeds' "scikit-learn and Swagger" scorer, verbatim but for `from sklearn.externals import joblib`
(gone from scikit-learn) → `import joblib`.

    python examples/seeds_sklearn_schema/train.py model/
    python -m gateway --scorer examples/seeds_sklearn_schema/score.py --model-dir model/
"""

import json  # noqa: F401  (as in the seed)
import os

import joblib
import numpy as np
from inference_schema.parameter_types.numpy_parameter_type import NumpyParameterType
from inference_schema.schema_decorators import input_schema, output_schema
from sklearn.linear_model import Ridge  # noqa: F401  (the seed imports it; joblib needs the class)


def init():
    global model
    # AZUREML_MODEL_DIR is an environment variable created during deployment. Join this path with the
    # filename of the model file.
    model_path = os.path.join(os.getenv("AZUREML_MODEL_DIR"), "sklearn_mnist_model.pkl")
    # Deserialize the model file back into a sklearn model
    model = joblib.load(model_path)


input_sample = np.array([[10, 9, 8, 7, 6, 5, 4, 3, 2, 1]])
output_sample = np.array([3726.995])


@input_schema("data", NumpyParameterType(input_sample))
@output_schema(NumpyParameterType(output_sample))
def run(data):
    try:
        result = model.predict(data)
        # You can return any data type, as long as it is JSON serializable.
        return result.tolist()
    except Exception as e:
        error = str(e)
        return error

