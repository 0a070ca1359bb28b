import torch

from . import LABELS, load_checkpoint
from .model import efficientnet_b3


def load_model(path: str, weights: str = "auto"):
    """A trained network from best.pt (the selected weights) or last.pt (weights: ema or raw).
    Returns (model in eval mode on CPU, config dict, checkpoint dict)."""
    ck = load_checkpoint(path)
    cfg = ck["config"]
    model = efficientnet_b3(len(LABELS), cfg["channels"], dropout=cfg["dropout"], drop_path=cfg["drop_path"])
    state = ck["model"]
    if "ema" in ck and weights in ("auto", "ema") and ck["ema"] is not None:
        state = ck["ema"]
    model.load_state_dict(state)
    model.eval()
    return model, cfg, ck
