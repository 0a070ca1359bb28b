"""qat.py: its int8 simulation follows quantize.py's graph point by point, its ranges go to quantize.py unchanged, and
fine-tuning moves the weights and the ranges towards the float network."""
import copy

import onnx
import pytest
import torch
import torch.nn.functional as F

import export
import qat
import quantize
from fertrain.depthwise import DepthwiseConv2d
from fertrain.model import efficientnet_b3


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    torch.manual_seed(0)
    net = efficientnet_b3().eval()
    # a trained-looking network: BatchNorms that scale and shift (fresh ones, with zero-gamma residual branches,
    # would make every block the identity)
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.2, 0.2)
            m.running_mean.uniform_(-0.1, 0.1)
            m.running_var.uniform_(0.5, 1.5)
    path = str(tmp_path_factory.mktemp("qat") / "model.onnx")
    export.export_onnx(net, path, 48, 1)
    return net, onnx.load(path)


def coarse_ranges(points):
    return {name: {"lo": -1.0, "hi": 6.0} for name, _ in points}


def test_the_simulation_uses_every_point_of_the_onnx_graph_in_order(exported):
    net, graph = exported
    points = quantize.quantized_tensors(graph)
    assert len(points) == 381
    ops = {op for _, op in points}
    assert ops == {"input", "Conv", "Sigmoid", "Mul", "GlobalAveragePool", "Add"}
    sim = qat.QuantSimNet(net, points, coarse_ranges(points))
    with torch.no_grad():
        assert sim(torch.randn(2, 1, 48, 48)).shape == (2, 7)  # raises if an op or the count disagrees


def test_a_point_out_of_line_with_the_graph_is_refused(exported):
    net, graph = exported
    points = quantize.quantized_tensors(graph)
    swapped = [points[0], points[2], points[1]] + points[3:]
    with pytest.raises(AssertionError, match="disagree"):
        qat.QuantSimNet(net, swapped, coarse_ranges(points))(torch.randn(1, 1, 48, 48))


@pytest.mark.parametrize("lo,hi", [(-0.278, 5.3), (0.0, 1.0), (-3.1, 2.2)])
def test_learnt_ranges_give_quantize_the_same_scale_and_zero_point(lo, hi):
    point = qat.ActQuant("t", "Conv", lo, hi)
    scale, zero = quantize.activation_params(lo, hi)
    r = point.range()
    scale2, zero2 = quantize.activation_params(r["lo"], r["hi"])
    assert zero2 == zero
    assert scale2 == pytest.approx(float(scale), rel=1e-6)


def test_fine_tuning_brings_the_simulated_int8_network_towards_the_float_one(exported):
    net, graph = exported
    teacher = copy.deepcopy(net)
    teacher.classifier[1].weight.data *= 10  # confident outputs, as a trained network gives
    points = quantize.quantized_tensors(graph)
    # ranges far too narrow: most values clip, as with a bad calibration
    narrow = {name: {"lo": -0.1, "hi": 0.4} for name, _ in points}
    sim = qat.QuantSimNet(copy.deepcopy(teacher), points, narrow).eval()
    for m in sim.modules():
        if isinstance(m, DepthwiseConv2d):
            m.shifted_grad = True  # the CPU training path of the depthwise layers
    x = torch.randn(8, 1, 48, 48)
    with torch.no_grad():
        target = torch.softmax(teacher(x), 1)
    scales = torch.cat([p.log_scale.detach().clone() for p in sim.points])
    opt = torch.optim.Adam([{"params": sim.net.parameters(), "lr": 1e-5},
                            {"params": [q for p in sim.points for q in (p.log_scale, p.zero)], "lr": 1e-2}])
    losses = []
    for _ in range(10):
        loss = F.kl_div(F.log_softmax(sim(x), 1), target, reduction="batchmean")
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss))
    assert losses[-1] < 0.5 * losses[0]
    # the ranges widened: fewer values clip
    assert float(torch.cat([p.log_scale.detach() for p in sim.points]).mean()) > float(scales.mean())
