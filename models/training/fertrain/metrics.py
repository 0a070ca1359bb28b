import numpy as np
import torch

from . import LABELS
from .data import preprocess


@torch.no_grad()
def predict_probs(model: torch.nn.Module, images_u8: torch.Tensor, size: int, channels: int = 1, batch: int = 256,
                  device: str = "cpu", tta: bool = False) -> np.ndarray:
    """Softmax probabilities (N x 7, float32) with the inference preprocessing of model.json."""
    model.eval()
    out = []
    for i in range(0, images_u8.shape[0], batch):
        x = preprocess(images_u8[i:i + batch].to(device), size, channels)
        logits = model(x).float()
        if tta:  # as model.json asks consumers (OnnxClassifier): the mean of the logits of the image and its mirror
            logits = (logits + model(torch.flip(x, [3])).float()) * 0.5
        out.append(torch.softmax(logits, 1).cpu())
    return torch.cat(out).numpy().astype(np.float32)


def classification_metrics(probs: np.ndarray, labels: np.ndarray) -> dict:
    k = len(LABELS)
    pred = probs.argmax(1)
    cm = np.zeros((k, k), dtype=np.int64)
    np.add.at(cm, (labels, pred), 1)
    per = {}
    recalls = []
    for c, name in enumerate(LABELS):
        support = int(cm[c].sum())
        predicted = int(cm[:, c].sum())
        recall = cm[c, c] / support if support else 0.0
        precision = cm[c, c] / predicted if predicted else 0.0
        if support:
            recalls.append(recall)
        per[name] = {"precision": round(float(precision), 4), "recall": round(float(recall), 4), "support": support}
    return {
        "images": int(labels.size),
        "accuracy": round(float((pred == labels).mean()), 4),
        "macroRecall": round(float(np.mean(recalls)), 4),
        "perClass": per,
        "confusionMatrix": cm.tolist(),
    }
