# Written the way Azure's inference-schema examples are: numpy, standard Python and optional parameters.
import numpy as np
from inference_schema.parameter_types.numpy_parameter_type import NumpyParameterType
from inference_schema.parameter_types.standard_py_parameter_type import (
    StandardPythonParameterType,
)
from inference_schema.schema_decorators import input_schema, output_schema


def init():
    pass


@input_schema('features', NumpyParameterType(np.array([[1.5, 2.5]], dtype="float32")))
@input_schema('stamps', NumpyParameterType(np.array(["2021-03-04T05:06:07"], dtype="datetime64[ms]")), optional=True)
@input_schema('image', StandardPythonParameterType(b"\x89PNG"), optional=True)
@input_schema('weights', StandardPythonParameterType([0.5, 0.25]), optional=True)
@input_schema('options', StandardPythonParameterType({"threshold": 0.5, "labels": ["no", "yes"]}), optional=True)
@input_schema('label', StandardPythonParameterType("default-label"), convert_to_provided_type=False)
@output_schema(StandardPythonParameterType({"features": "float32"}))
def run(features, label, stamps=None, image=None, weights=(1.0,), options=None):
    return {
        "features": str(features.dtype),
        "stamps": None if stamps is None else str(stamps.dtype),
        "image": None if image is None else [type(image).__name__, len(image)],
        "weights": list(weights),
        "options": options,
        "label": label,
    }
