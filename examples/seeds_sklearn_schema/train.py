"""Train the seed's Ridge regression on synthetic 10-feature data; save it as sklearn_mnist_model.pkl.

    python examples/seeds_sklearn_schema/train.py MODEL_DIR
"""

import sys
from pathlib import Path

import joblib
import numpy as np
from sklearn.linear_model import Ridge


def train(model_dir: Path) -> Path:
    rng = np.random.default_rng(0)
    features = rng.integers(0, 10, size=(500, 10)).astype(float)
    target = features @ np.arange(1, 11) * 50.0 + rng.normal(0, 5, 500)
    model = Ridge(alpha=1.0).fit(features, target)
    model_dir.mkdir(parents=True, exist_ok=True)
    path = model_dir / "sklearn_mnist_model.pkl"
    joblib.dump(model, path)
    return path


if __name__ == "__main__":
    print(f"model saved to {train(Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent / 'model'))}")
