"""Serves the iris classifier: POST /predict {"instances": [[5.1, 3.5, 1.4, 0.2]]}."""
import os
from pathlib import Path

import joblib
from flask import Flask, jsonify, request

from train import train

MODEL_DIR = Path(os.environ.get("MODEL_DIR", "models"))
model_path = MODEL_DIR / "model.joblib"
if not model_path.exists():
    # The model is tiny: train it at start rather than baking weights into the image.
    model_path = train(MODEL_DIR if os.access(MODEL_DIR.parent, os.W_OK) else Path("/tmp/models"))
model = joblib.load(model_path)
labels = ["setosa", "versicolor", "virginica"]

app = Flask(__name__)


@app.get("/healthz")
def healthz():
    return {"status": "ok"}


@app.post("/predict")
def predict():
    body = request.get_json(force=True)
    preds = model.predict(body["instances"]).tolist()
    return jsonify({"predictions": [labels[p] for p in preds]})


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "8080")))
