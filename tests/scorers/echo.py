"""A contract scorer for subprocess tests: echoes what run() received."""

import os

from gateway import Json, Value, contract

calls = {"init": 0}


def init():
    calls["init"] += 1


@contract(Inputs=Json(), GlobalParameters={"scale": Value(float, default=1.0)})
def run(Inputs, GlobalParameters):
    return {
        "Results": {"inputs": Inputs, "scale": GlobalParameters["scale"]},
        "init_calls": calls["init"],
        "model_dir": os.environ.get("AZUREML_MODEL_DIR"),
        "entry_script": os.environ.get("AZUREML_ENTRY_SCRIPT"),
    }
