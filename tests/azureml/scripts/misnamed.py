# A decorator naming a parameter run() does not have: azmlinfsrv starts, then fails every call.
import numpy as np
from inference_schema.parameter_types.numpy_parameter_type import NumpyParameterType
from inference_schema.schema_decorators import input_schema


def init():
    pass


@input_schema('data', NumpyParameterType(np.array([[1.0, 2.0]])))
def run(raw_data):
    return raw_data.tolist()
