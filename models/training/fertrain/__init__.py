"""Affectune FER2013 emotion-model training pipeline (plain PyTorch, no torchvision needed)."""

LABELS = ["angry", "disgust", "fear", "happy", "neutral", "sad", "surprise"]
SOURCE_SIZE = 48
# x = (pixel * SCALE - MEAN) / STD, the same numbers go into model.json
SCALE = 1.0 / 255.0
MEAN = 0.5
STD = 0.5


def load_checkpoint(path: str):
    """torch.load of our own checkpoints (config dicts and lists beside tensors) on torch 1.13 and 2.x,
    whose default became weights_only=True."""
    import torch
    try:
        return torch.load(path, map_location="cpu", weights_only=False)
    except TypeError:  # a torch without the weights_only argument
        return torch.load(path, map_location="cpu")
