import torch

from . import LABELS, load_checkpoint
from .model import efficientnet_b3

# The campaign's checkpoint in git (models/training/checkpoints/*.pt) and ../shared's warm start:
# one set of weights (EMA + BatchNorm buffers) in fp16, with the recipe, metrics and history beside them.
WEIGHTS_FORMAT = "affectune-warmstart-1"


def checkpoint_weights(ck: dict, weights: str = "auto") -> dict:
    """The float32 state_dict held by any of our checkpoint kinds: a weights file (fp16), best.pt
    (the selected weights) or last.pt (ema or raw)."""
    if ck.get("format") == WEIGHTS_FORMAT:
        state = ck["weights"]
    elif "ema" in ck and weights in ("auto", "ema") and ck["ema"] is not None:
        state = ck["ema"]
    else:
        state = ck["model"]
    return {k: v.float() if v.is_floating_point() else v for k, v in state.items()}


def save_weights(path: str, state_dict: dict, *, weights_kind: str, config: dict, epoch: int, metrics: dict,
                 history: list, extra: dict = None):
    """Writes a weights file in WEIGHTS_FORMAT (floating tensors as fp16: ~21 MB for B3), atomically."""
    import os
    ck = {"format": WEIGHTS_FORMAT,
          "weights": {k: v.detach().cpu().half() if v.is_floating_point() else v.detach().cpu()
                      for k, v in state_dict.items()},
          "weights_kind": weights_kind, "epoch": epoch, "metrics": metrics, "config": config, "history": history}
    ck.update(extra or {})
    tmp = path + ".tmp"
    torch.save(ck, tmp)
    os.replace(tmp, path)


def load_model(path: str, weights: str = "auto"):
    """A trained network from best.pt (the selected weights), last.pt (weights: ema or raw) or a weights file.
    Returns (model in eval mode on CPU, config dict, checkpoint dict)."""
    ck = load_checkpoint(path)
    cfg = ck["config"]
    model = efficientnet_b3(len(LABELS), cfg["channels"], dropout=cfg["dropout"], drop_path=cfg["drop_path"])
    model.load_state_dict(checkpoint_weights(ck, weights))
    model.eval()
    return model, cfg, ck
