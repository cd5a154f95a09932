"""FastAPI server for TinyNet: POST /predict with a 28x28 image as nested lists."""
import os
from pathlib import Path

import torch
from fastapi import FastAPI
from pydantic import BaseModel
from safetensors.torch import load_file

from model import TinyNet

MODEL_DIR = Path(os.environ.get("MODEL_DIR", "models"))
device = "cuda" if torch.cuda.is_available() else "cpu"
net = TinyNet().to(device).eval()
weights = MODEL_DIR / "model.safetensors"
if weights.exists():
    net.load_state_dict(load_file(weights, device=device))

app = FastAPI()


class Request(BaseModel):
    image: list[list[float]]


@app.get("/healthz")
def healthz() -> dict:
    return {"status": "ok", "device": device}


@app.post("/predict")
def predict(req: Request) -> dict:
    with torch.no_grad():
        x = torch.tensor(req.image, device=device).reshape(1, 1, 28, 28)
        return {"class": int(net(x).argmax(1).item())}
