import pytest
import torch

from fertrain import LABELS
from fertrain.model import efficientnet_b3


def count(m):
    return sum(p.numel() for p in m.parameters())


def test_same_architecture_as_torchvision_efficientnet_b3():
    torchvision = pytest.importorskip("torchvision")
    ours = efficientnet_b3(num_classes=1000, in_channels=3)
    reference = torchvision.models.efficientnet_b3()
    assert count(ours) == count(reference) == 12_233_232
    assert [tuple(t.shape) for t in ours.state_dict().values()] == \
           [tuple(t.shape) for t in reference.state_dict().values()]


def test_grayscale_stem_and_seven_classes():
    net = efficientnet_b3(len(LABELS), in_channels=1).eval()
    assert net.features[0][0].in_channels == 1
    for size in (48, 64):
        assert net(torch.zeros(2, 1, size, size)).shape == (2, len(LABELS))


def test_stochastic_depth_only_while_training():
    torch.manual_seed(0)
    net = efficientnet_b3(len(LABELS), in_channels=1, drop_path=0.5)
    x = torch.randn(4, 1, 48, 48)
    net.eval()
    assert torch.equal(net(x), net(x))
