"""FER2013 in the raw u8.xz format of /work/shared/datasets/fer2013 (see its README)."""
import lzma
import os
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from . import MEAN, SCALE, SOURCE_SIZE, STD


@dataclass
class Split:
    images: torch.Tensor  # N x 48 x 48 uint8
    labels: torch.Tensor  # N int64

    def __len__(self) -> int:
        return int(self.labels.shape[0])


def load_split(data_dir: str, split: str) -> Split:
    images_path = os.path.join(data_dir, f"{split}-images.u8.xz")
    labels_path = os.path.join(data_dir, f"{split}-labels.u8")
    for p in (images_path, labels_path):
        if not os.path.isfile(p):
            raise FileNotFoundError(f"{p} not found: --data must be a directory with {split}-images.u8.xz and {split}-labels.u8")
    with lzma.open(images_path) as f:
        raw = np.frombuffer(f.read(), np.uint8)
    labels = np.fromfile(labels_path, np.uint8)
    if raw.size != labels.size * SOURCE_SIZE * SOURCE_SIZE:
        raise ValueError(f"{images_path}: {raw.size} bytes is not {labels.size} images of {SOURCE_SIZE}x{SOURCE_SIZE}")
    images = torch.from_numpy(raw.reshape(-1, SOURCE_SIZE, SOURCE_SIZE).copy())
    return Split(images, torch.from_numpy(labels.astype(np.int64)))


def preprocess(images_u8: torch.Tensor, size: int, channels: int = 1) -> torch.Tensor:
    """The inference preprocessing of model.json: 48x48 uint8 -> bilinear (half-pixel centres,
    no antialias) to size x size -> (p * scale - mean) / std; gray replicated for 3 channels."""
    x = images_u8.float().unsqueeze(1)
    if size != x.shape[-1]:
        x = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False)
    x = (x * SCALE - MEAN) / STD
    if channels == 3:
        x = x.expand(-1, 3, -1, -1).contiguous()
    return x
