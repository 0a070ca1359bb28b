"""Batch augmentation in plain torch tensors (runs on the training device, no torchvision)."""
import math

import torch
import torch.nn.functional as F

from . import MEAN, SCALE, STD


def augment_batch(images_u8: torch.Tensor, size: int, gen: torch.Generator, *, scale=(0.75, 1.0), ratio=(0.85, 1.18),
                  max_rotation_deg: float = 12.0, brightness: float = 0.25, contrast: float = 0.25,
                  erasing_prob: float = 0.25) -> torch.Tensor:
    """uint8 N x 48 x 48 (on any device) -> normalised float N x 1 x size x size.
    One affine grid per image does random resized crop + horizontal flip + small rotation
    and the upscale to `size` in a single bilinear resample.
    The random numbers come from `gen` on its own device: a CPU generator draws them on the CPU and copies
    them to the images' device (train.py); a CUDA generator on the images' GPU keeps every draw on the GPU,
    with no host<->device copy or synchronisation (train_gpu.py)."""
    device = images_u8.device
    n = images_u8.shape[0]
    rand_device = gen.device

    def rand(*shape):
        return torch.rand(*shape, generator=gen, device=rand_device).to(device)

    x = images_u8.float().unsqueeze(1) * SCALE
    area = scale[0] + (scale[1] - scale[0]) * rand(n)
    log_r = math.log(ratio[0]) + (math.log(ratio[1]) - math.log(ratio[0])) * rand(n)
    aspect = torch.exp(log_r)
    sw = torch.sqrt(area * aspect).clamp(max=1.0)  # crop size as a fraction of the image
    sh = torch.sqrt(area / aspect).clamp(max=1.0)
    tx = (1.0 - sw) * (2 * rand(n) - 1)  # crop centre, normalised coordinates
    ty = (1.0 - sh) * (2 * rand(n) - 1)
    angle = (2 * rand(n) - 1) * math.radians(max_rotation_deg)
    flip = torch.where(rand(n) < 0.5, -1.0, 1.0)
    cos, sin = torch.cos(angle), torch.sin(angle)
    theta = torch.stack([
        torch.stack([sw * cos * flip, -sh * sin, tx], 1),
        torch.stack([sw * sin * flip, sh * cos, ty], 1),
    ], 1)
    grid = F.affine_grid(theta, [n, 1, size, size], align_corners=False)
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)

    # brightness / contrast jitter around the per-image mean
    b = 1.0 + brightness * (2 * rand(n, 1, 1, 1) - 1)
    c = 1.0 + contrast * (2 * rand(n, 1, 1, 1) - 1)
    m = x.mean(dim=(2, 3), keepdim=True)
    x = ((x - m) * c + m) * b
    x = x.clamp(0.0, 1.0)
    x = (x - MEAN) / STD

    # random erasing: one rectangle of noise per selected image
    if erasing_prob > 0:
        sel = rand(n) < erasing_prob
        ea = 0.02 + 0.18 * rand(n)
        er = torch.exp(math.log(0.3) + (math.log(3.3) - math.log(0.3)) * rand(n))
        eh = (torch.sqrt(ea * er) * size).clamp(1, size - 1)
        ew = (torch.sqrt(ea / er) * size).clamp(1, size - 1)
        y0 = rand(n) * (size - eh)
        x0 = rand(n) * (size - ew)
        ys = torch.arange(size, device=device).view(1, size, 1)
        xs = torch.arange(size, device=device).view(1, 1, size)
        box = (ys >= y0.view(n, 1, 1)) & (ys < (y0 + eh).view(n, 1, 1)) & \
              (xs >= x0.view(n, 1, 1)) & (xs < (x0 + ew).view(n, 1, 1)) & sel.view(n, 1, 1)
        noise = torch.randn(x.shape, generator=gen, device=rand_device).to(device)
        x = torch.where(box.unsqueeze(1), noise, x)
    return x


def mix_batch(x: torch.Tensor, y_soft: torch.Tensor, gen: torch.Generator, mixup_alpha: float, cutmix_alpha: float,
              prob: float):
    """Mixup or CutMix (half of the time each) on a batch with probability `prob`; returns mixed x and soft targets."""
    if prob <= 0 or torch.rand(1, generator=gen).item() >= prob:
        return x, y_soft
    n = x.shape[0]
    perm = torch.randperm(n, generator=gen).to(x.device)
    use_cutmix = cutmix_alpha > 0 and (mixup_alpha <= 0 or torch.rand(1, generator=gen).item() < 0.5)
    alpha = cutmix_alpha if use_cutmix else mixup_alpha
    lam = float(torch.distributions.Beta(alpha, alpha).sample().item())
    if use_cutmix:
        h, w = x.shape[-2:]
        cut = math.sqrt(1.0 - lam)
        ch, cw = int(h * cut), int(w * cut)
        cy = int(torch.randint(h, (1,), generator=gen).item())
        cx = int(torch.randint(w, (1,), generator=gen).item())
        y0, y1 = max(cy - ch // 2, 0), min(cy + ch // 2, h)
        x0, x1 = max(cx - cw // 2, 0), min(cx + cw // 2, w)
        x = x.clone()
        x[:, :, y0:y1, x0:x1] = x[perm, :, y0:y1, x0:x1]
        lam = 1.0 - (y1 - y0) * (x1 - x0) / float(h * w)
    else:
        x = lam * x + (1.0 - lam) * x[perm]
    return x, lam * y_soft + (1.0 - lam) * y_soft[perm]
