"""EfficientNet-B3 in plain PyTorch (same layer graph and parameter count as torchvision's
efficientnet_b3), so training runs where torchvision is not installed."""
import math
from typing import List, Optional

import torch
from torch import nn
from torch.nn import functional as F

from .depthwise import DepthwiseConv2d

# expand ratio, kernel, stride, input channels, output channels, layers (EfficientNet-B0 base)
B0_STAGES = [
    (1, 3, 1, 32, 16, 1),
    (6, 3, 2, 16, 24, 2),
    (6, 5, 2, 24, 40, 2),
    (6, 3, 2, 40, 80, 3),
    (6, 5, 1, 80, 112, 3),
    (6, 5, 2, 112, 192, 4),
    (6, 3, 1, 192, 320, 1),
]


def make_divisible(v: float, divisor: int = 8, min_value: Optional[int] = None) -> int:
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:  # never round down by more than 10 %
        new_v += divisor
    return new_v


def conv_bn_act(cin: int, cout: int, kernel: int, stride: int = 1, groups: int = 1, act: bool = True) -> nn.Sequential:
    if groups > 1 and groups == cin == cout:
        conv: nn.Module = DepthwiseConv2d(cin, kernel, stride)
    else:
        conv = nn.Conv2d(cin, cout, kernel, stride, (kernel - 1) // 2, groups=groups, bias=False)
    layers: List[nn.Module] = [conv, nn.BatchNorm2d(cout)]
    if act:
        # not in place: on channels_last CPU tensors the in-place SiLU forces layout copies
        layers.append(nn.SiLU())
    return nn.Sequential(*layers)


class SqueezeExcitation(nn.Module):
    def __init__(self, channels: int, squeeze: int):
        super().__init__()
        self.fc1 = nn.Conv2d(channels, squeeze, 1)
        self.fc2 = nn.Conv2d(squeeze, channels, 1)
        self.act = nn.SiLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # the same mean as torch.mean over H and W, but exported as GlobalAveragePool, which ONNX Runtime runs in its
        # blocked (NCHWc) layout; ReduceMean made it reorder the tensor out and back in every block (2-6 % of the
        # network's time, models/training/README.md)
        s = F.adaptive_avg_pool2d(x, 1)
        s = torch.sigmoid(self.fc2(self.act(self.fc1(s))))
        return x * s


class StochasticDepth(nn.Module):
    """Drops the whole residual branch per sample ("row" mode) with probability p while training."""

    def __init__(self, p: float):
        super().__init__()
        self.p = p

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0.0:
            return x
        keep = 1.0 - self.p
        mask = torch.empty([x.shape[0], 1, 1, 1], dtype=x.dtype, device=x.device).bernoulli_(keep)
        return x * mask / keep


class MBConv(nn.Module):
    def __init__(self, cin: int, cout: int, expand: int, kernel: int, stride: int, drop_path: float):
        super().__init__()
        self.use_residual = stride == 1 and cin == cout
        expanded = make_divisible(cin * expand)
        layers: List[nn.Module] = []
        if expanded != cin:
            layers.append(conv_bn_act(cin, expanded, 1))
        layers.append(conv_bn_act(expanded, expanded, kernel, stride, groups=expanded))
        layers.append(SqueezeExcitation(expanded, max(1, cin // 4)))
        layers.append(conv_bn_act(expanded, cout, 1, act=False))
        self.block = nn.Sequential(*layers)
        self.drop_path = StochasticDepth(drop_path)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.block(x)
        if self.use_residual:
            y = self.drop_path(y) + x
        return y


class EfficientNet(nn.Module):
    def __init__(self, width: float = 1.2, depth: float = 1.4, num_classes: int = 7, in_channels: int = 1,
                 dropout: float = 0.3, drop_path: float = 0.2):
        super().__init__()
        stages = [(e, k, s, make_divisible(ci * width), make_divisible(co * width), int(math.ceil(n * depth)))
                  for e, k, s, ci, co, n in B0_STAGES]
        total_blocks = sum(s[5] for s in stages)
        stem_out = stages[0][3]
        # the stem adapts to the input: 1 channel for grayscale faces
        features: List[nn.Module] = [conv_bn_act(in_channels, stem_out, 3, 2)]
        block_id = 0
        for expand, kernel, stride, cin, cout, n in stages:
            stage: List[nn.Module] = []
            for i in range(n):
                stage.append(MBConv(cin if i == 0 else cout, cout, expand, kernel, stride if i == 0 else 1,
                                    drop_path * block_id / total_blocks))
                block_id += 1
            features.append(nn.Sequential(*stage))
        last_in = stages[-1][4]
        features.append(conv_bn_act(last_in, 4 * last_in, 1))
        self.features = nn.Sequential(*features)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Dropout(dropout, inplace=True), nn.Linear(4 * last_in, num_classes))
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                # He init by fan-out. For a grouped conv each output channel sees only in/groups inputs and
                # feeds kernel*kernel*out/groups outputs: torch's fan_out counts all out channels, which gives
                # depthwise kernels a std of 0.008-0.09 instead of 0.28-0.47, so divide by the groups.
                fan_out = m.out_channels // m.groups * m.kernel_size[0] * m.kernel_size[1]
                nn.init.normal_(m.weight, 0.0, math.sqrt(2.0 / fan_out))
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                # torchvision's uniform(+-1/sqrt(out_features)) is +-0.03 for 1000 classes but +-0.38 for 7:
                # with 1536 features that starts at logits of std ~8 and a loss of ~4.5, and training stalls.
                # Scale by the fan-in instead, so the first logits are small whatever the class count.
                r = 1.0 / math.sqrt(m.in_features)
                nn.init.uniform_(m.weight, -r, r)
                nn.init.zeros_(m.bias)
        # every residual block starts as the identity: zero gamma of its last BatchNorm (Goyal et al. 2017)
        for m in self.modules():
            if isinstance(m, MBConv) and m.use_residual:
                nn.init.zeros_(m.block[-1][1].weight)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.features(x)
        x = torch.flatten(self.avgpool(x), 1)
        return self.classifier(x)


def efficientnet_b3(num_classes: int = 7, in_channels: int = 1, dropout: float = 0.3, drop_path: float = 0.2) -> EfficientNet:
    return EfficientNet(1.2, 1.4, num_classes=num_classes, in_channels=in_channels, dropout=dropout, drop_path=drop_path)


class Softmax(nn.Module):
    def __init__(self, net: nn.Module):
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.net(x), dim=1)
