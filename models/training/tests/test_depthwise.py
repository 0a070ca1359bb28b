"""The CPU training speed-ups change no mathematics: the shifted-product depthwise weight gradient equals
autograd's, and the model's parameters keep their names (old checkpoints load)."""
import os

import pytest
import torch
import torch.nn.functional as F

from conftest import TRAINING_DIR
from fertrain import LABELS, load_checkpoint
from fertrain.checkpoint import checkpoint_weights
from fertrain.depthwise import DepthwiseConv2d, choose_weight_grad, depthwise_weight_grad
from fertrain.model import efficientnet_b3

COMMITTED = os.path.join(TRAINING_DIR, "checkpoints", "effnetb3-fer2013-48.pt")


@pytest.mark.parametrize("kernel", [3, 5])
@pytest.mark.parametrize("stride", [1, 2])
@pytest.mark.parametrize("channels_last", [False, True])
def test_shifted_weight_gradient_equals_autograd(kernel, stride, channels_last):
    torch.manual_seed(kernel * 10 + stride)
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    x = torch.randn(3, 12, 11, 9, dtype=torch.float64).contiguous(memory_format=fmt).requires_grad_(True)
    reference = torch.nn.Conv2d(12, 12, kernel, stride, (kernel - 1) // 2, groups=12, bias=False).double()
    conv = DepthwiseConv2d(12, kernel, stride).double()
    conv.load_state_dict(reference.state_dict())
    conv.shifted_grad = True
    y_ref, y = reference(x), conv(x)
    grad_out = torch.randn_like(y_ref).contiguous(memory_format=fmt)
    gx_ref, gw_ref = torch.autograd.grad(y_ref, (x, reference.weight), grad_out)
    gx, gw = torch.autograd.grad(y, (x, conv.weight), grad_out)
    assert torch.equal(y, y_ref)
    assert (gw - gw_ref).abs().max().item() < 1e-10
    assert (gx - gx_ref).abs().max().item() < 1e-10
    direct = depthwise_weight_grad(x.detach(), grad_out, kernel, stride, (kernel - 1) // 2)
    assert (direct - gw_ref).abs().max().item() < 1e-10


def test_gradcheck_through_the_replacement():
    torch.manual_seed(0)
    conv = DepthwiseConv2d(4, 5, 2).double()
    conv.shifted_grad = True
    x = torch.randn(2, 4, 7, 7, dtype=torch.float64, requires_grad=True)
    # gradcheck perturbs conv.weight in place, so the module's own forward sees each perturbation
    assert torch.autograd.gradcheck(lambda inp, w: conv(inp), (x, conv.weight))


def test_choice_per_layer_is_measured_and_training_matches_native():
    torch.manual_seed(0)
    net = efficientnet_b3(len(LABELS), 1).to(memory_format=torch.channels_last)
    example = torch.randn(8, 1, 48, 48).contiguous(memory_format=torch.channels_last)
    rows = choose_weight_grad(net, example, repeats=1)
    assert len(rows) == sum(isinstance(m, DepthwiseConv2d) for m in net.modules()) == 26
    # whatever was chosen, a training step gives the native gradients
    native = efficientnet_b3(len(LABELS), 1).to(memory_format=torch.channels_last)
    native.load_state_dict(net.state_dict())
    for m in net.modules():
        if isinstance(m, DepthwiseConv2d):
            m.shifted_grad = True
    net.eval(), native.eval()  # no dropout / stochastic depth: the two must see the same graph
    for model in (net, native):
        F.cross_entropy(model(example), torch.arange(8) % len(LABELS)).backward()
    for (name, a), b in zip(net.named_parameters(), native.parameters()):
        assert torch.allclose(a.grad, b.grad, rtol=1e-4, atol=1e-6), name


def test_state_dict_keys_and_shapes_unchanged():
    ours = efficientnet_b3(len(LABELS), 1).state_dict()
    committed = checkpoint_weights(load_checkpoint(COMMITTED))
    assert list(ours) == list(committed)
    assert all(ours[k].shape == committed[k].shape for k in ours)
    efficientnet_b3(len(LABELS), 1).load_state_dict(committed)  # strict


def test_initial_std_per_layer_kind():
    torch.manual_seed(0)
    net = efficientnet_b3(len(LABELS), 1)
    for m in net.modules():
        if isinstance(m, torch.nn.Conv2d) and m.groups > 1:
            # depthwise: fan-out = kernel*kernel (one output channel per group): std 0.47 (3x3) / 0.28 (5x5)
            expected = (2.0 / (m.kernel_size[0] * m.kernel_size[1])) ** 0.5
            assert abs(m.weight.std().item() / expected - 1) < 0.1
        elif isinstance(m, torch.nn.Conv2d) and m.weight.numel() > 2000:
            expected = (2.0 / (m.out_channels * m.kernel_size[0] * m.kernel_size[1])) ** 0.5
            assert abs(m.weight.std().item() / expected - 1) < 0.1
    residual = [m for m in net.modules() if m.__class__.__name__ == "MBConv" and m.use_residual]
    assert len(residual) == 19
    for block in residual:
        assert torch.count_nonzero(block.block[-1][1].weight) == 0  # starts as the identity
    others = [m for m in net.modules() if m.__class__.__name__ == "MBConv" and not m.use_residual]
    for block in others:
        assert torch.all(block.block[-1][1].weight == 1)
