"""FER2013 in the raw u8.xz format of /work/shared/datasets/fer2013 (see its README)."""
import glob
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


def image_parts(data_dir: str, split: str) -> list:
    """The pieces of {split}-images.u8.xz cut by `split -b 12M {split}-images.u8.xz {split}-images.part-`
    (to carry the data to the GPU machine), in order; empty if there are none."""
    return sorted(glob.glob(os.path.join(glob.escape(data_dir), f"{split}-images.part-*")))


def load_split(data_dir: str, split: str) -> Split:
    """{split}-images.u8.xz (or, where it is absent, its pieces {split}-images.part-*, joined in memory)
    and {split}-labels.u8."""
    images_path = os.path.join(data_dir, f"{split}-images.u8.xz")
    labels_path = os.path.join(data_dir, f"{split}-labels.u8")
    parts = [] if os.path.isfile(images_path) else image_parts(data_dir, split)
    for p in ([labels_path] if parts else [images_path, labels_path]):
        if not os.path.isfile(p):
            raise FileNotFoundError(f"{p} not found: --data must be a directory with {split}-images.u8.xz "
                                    f"(or its pieces {split}-images.part-*) and {split}-labels.u8")
    if parts:
        chunks = []
        for p in parts:
            with open(p, "rb") as f:
                chunks.append(f.read())
        joined = b"".join(chunks)
        try:
            raw = np.frombuffer(lzma.decompress(joined), np.uint8)
        except lzma.LZMAError as e:
            raise ValueError(f"{split}-images.part-* in {data_dir} ({len(parts)} pieces, {len(joined)} bytes) "
                             f"do not join into a whole .xz file (a piece missing?): {e}") from e
        images_path = f"{os.path.join(data_dir, split)}-images.part-* ({len(parts)} pieces)"
    else:
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


def load_train_val(data_dir: str, seed: int = 1, limit_train: int = 0, limit_val: int = 0):
    """(train, val) splits; a limit takes a seeded random subset, not the first N: the FER2013 files are sorted
    by class, so the first N would all be 'angry'."""
    train, val = load_split(data_dir, "train"), load_split(data_dir, "val")
    if limit_train:
        keep = torch.randperm(len(train), generator=torch.Generator().manual_seed(seed))[:limit_train]
        train = Split(train.images[keep], train.labels[keep])
    if limit_val:
        keep = torch.randperm(len(val), generator=torch.Generator().manual_seed(seed + 1))[:limit_val]
        val = Split(val.images[keep], val.labels[keep])
    return train, val
