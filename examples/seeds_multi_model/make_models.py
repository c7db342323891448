"""Lay out two models, several versions, as Azure ML mounts them:
`$AZUREML_MODEL_DIR/my_first_model/1/my_first_model.pkl` and `.../my_second_model/{1,2}/my_second_model.pkl`.

    python examples/seeds_multi_model/make_models.py MODEL_DIR
"""

import sys
from pathlib import Path

import joblib
import numpy as np
from sklearn.linear_model import LinearRegression


def make(model_dir: Path) -> None:
    features = np.arange(20, dtype=float).reshape(-1, 2)
    for name, version, slope in [("my_first_model", 1, 2.0), ("my_second_model", 1, 3.0), ("my_second_model", 2, 5.0)]:
        folder = model_dir / name / str(version)
        folder.mkdir(parents=True, exist_ok=True)
        model = LinearRegression().fit(features, features.sum(axis=1) * slope)
        joblib.dump(model, folder / f"{name}.pkl")


if __name__ == "__main__":
    make(Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent / "model"))
