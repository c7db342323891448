"""The seeds' several-models deployment: each model under `$AZUREML_MODEL_DIR/<name>/<version>/`, loaded
the seed's way (os.path.join) and through `gateway.model_path`, which stands in for Model.get_model_path.

    python examples/seeds_multi_model/make_models.py model/
    python -m gateway --scorer examples/seeds_multi_model/score.py --model-dir model/
"""

import os

import joblib

from gateway import Array, contract, model_path


def init():
    global first_model, second_model
    # Example when the model is a file, and the deployment contains multiple models
    first_model_name = "my_first_model"
    first_model_version = "1"
    first_model_path = os.path.join(
        os.getenv("AZUREML_MODEL_DIR"), first_model_name, first_model_version, "my_first_model.pkl"
    )
    first_model = joblib.load(first_model_path)
    # The same with the gateway's helper: version 2 of the second model
    second_model = joblib.load(os.path.join(model_path("my_second_model", 2), "my_second_model.pkl"))


@contract(data=Array("float64", shape=(None, 2)))
def run(data):
    return {"first": first_model.predict(data), "second": second_model.predict(data)}
