"""Trains a small iris classifier and saves it to $MODEL_DIR/model.joblib."""
import os
from pathlib import Path

import joblib
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression


def train(model_dir: Path) -> Path:
    X, y = load_iris(return_X_y=True)
    model = LogisticRegression(max_iter=500).fit(X, y)
    model_dir.mkdir(parents=True, exist_ok=True)
    out = model_dir / "model.joblib"
    joblib.dump(model, out)
    return out


if __name__ == "__main__":
    print(f"saved {train(Path(os.environ.get('MODEL_DIR', 'models')))}")
