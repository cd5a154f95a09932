"""Trains TinyNet on random data (a stand-in for MNIST) and saves weights as safetensors."""
import os
from pathlib import Path

import torch
from safetensors.torch import save_file

from model import TinyNet

if __name__ == "__main__":
    device = "cuda" if torch.cuda.is_available() else "cpu"
    net = TinyNet().to(device)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    for step in range(100):
        x = torch.randn(64, 1, 28, 28, device=device)
        y = torch.randint(0, 10, (64,), device=device)
        loss = torch.nn.functional.cross_entropy(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    out = Path(os.environ.get("MODEL_DIR", "models"))
    out.mkdir(parents=True, exist_ok=True)
    save_file(net.state_dict(), out / "model.safetensors")
    print(f"saved {out / 'model.safetensors'} on {device}")
