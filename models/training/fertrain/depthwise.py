"""A depthwise convolution whose weight gradient is computed as a sum of shifted products.

Why this exists: torch 1.13's CPU kernel for the weight gradient of a depthwise convolution is
pathologically slow for some shapes (127 ms per call for 1392 channels on 2x2 maps, 5x5 kernel, batch 64),
and it is called once per block per training step. The same gradient is

    dW[c, 0, i, j] = sum over n, h, w of  dY[n, c, h, w] * Xpad[n, c, h*s + i, w*s + j]

that is k*k channel-wise dot products between the output gradient and a strided window of the padded input.
In NHWC (channels_last) memory each of them is one contiguous multiply-and-reduce over channels, a few
milliseconds in all. The forward pass and the input gradient stay torch's own. The mathematics is
unchanged (tests/test_depthwise.py compares it with autograd to 1e-10 in float64), and so are the module's
parameters and state_dict keys: DepthwiseConv2d is an nn.Conv2d.
"""
import time

import torch
import torch.nn.functional as F
from torch import nn

import time


def depthwise_weight_grad(x: torch.Tensor, grad_out: torch.Tensor, kernel: int, stride: int, padding: int) -> torch.Tensor:
    """dL/dW of a depthwise conv (groups == channels, no dilation) from its input and output gradient."""
    n, c, _, _ = x.shape
    ho, wo = grad_out.shape[2], grad_out.shape[3]
    xn = F.pad(x.permute(0, 2, 3, 1), (0, 0, padding, padding, padding, padding))  # N x H+2p x W+2p x C
    gn = grad_out.permute(0, 2, 3, 1)  # N x Ho x Wo x C
    if not gn.is_contiguous():
        gn = gn.contiguous()
    grad = x.new_empty(kernel * kernel, c)
    h_span, w_span = stride * (ho - 1) + 1, stride * (wo - 1) + 1
    for i in range(kernel):
        for j in range(kernel):
            window = xn[:, i:i + h_span:stride, j:j + w_span:stride, :]
            torch.sum((window * gn).view(-1, c), 0, out=grad[i * kernel + j])
    return grad.t().reshape(c, 1, kernel, kernel)


class _ShiftedGradDepthwiseConv(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, weight, stride: int, padding: int):
        ctx.save_for_backward(x, weight)
        ctx.stride, ctx.padding = stride, padding
        return F.conv2d(x, weight, None, stride, padding, 1, weight.shape[0])

    @staticmethod
    def backward(ctx, grad_out):
        x, weight = ctx.saved_tensors
        s, p = ctx.stride, ctx.padding
        grad_x = grad_w = None
        if ctx.needs_input_grad[0]:
            grad_x = torch.ops.aten.convolution_backward(
                grad_out, x, weight, None, [s, s], [p, p], [1, 1], False, [0, 0], weight.shape[0],
                [True, False, False])[0]
        if ctx.needs_input_grad[1]:
            grad_w = depthwise_weight_grad(x, grad_out, weight.shape[-1], s, p)
        return grad_x, grad_w, None, None


class DepthwiseConv2d(nn.Conv2d):
    """nn.Conv2d(groups=channels, bias=False) that can train with the shifted-product weight gradient on the CPU
    (shifted_grad, set per layer by choose_weight_grad); identical to nn.Conv2d everywhere else (eval, export,
    CUDA) and by default."""

    def __init__(self, channels: int, kernel: int, stride: int):
        super().__init__(channels, channels, kernel, stride, (kernel - 1) // 2, groups=channels, bias=False)
        self.shifted_grad = False

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.shifted_grad and x.device.type == "cpu" and torch.is_grad_enabled() and self.weight.requires_grad:
            return _ShiftedGradDepthwiseConv.apply(x, self.weight, self.stride[0], self.padding[0])
        return super().forward(x)


def _time_ms(fn, repeats: int) -> float:
    fn()  # warm-up: allocator, first-call dispatch
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, (time.perf_counter() - t0) * 1000)
    return best


@torch.no_grad()
def choose_weight_grad(model: nn.Module, example: torch.Tensor, repeats: int = 3) -> list:
    """Times the native and the shifted-product weight gradient of every depthwise layer at the shapes the
    training batch `example` gives it (on this machine), and sets each layer's shifted_grad to the faster one.
    The native kernel wins on large maps, the replacement on small maps with many channels (1392 channels on
    2x2 maps, kernel 5: 82 ms native, 4 ms shifted). Returns (layer name, native ms, shifted ms) rows."""
    shapes, hooks = {}, []
    for name, m in model.named_modules():
        if isinstance(m, DepthwiseConv2d):
            hooks.append(m.register_forward_hook(
                lambda mod, inp, out, name=name: shapes.__setitem__(name, (inp[0].shape, out.shape))))
    was_training = model.training
    model.eval()
    try:
        model(example)
    finally:
        model.train(was_training)
        for h in hooks:
            h.remove()
    rows, cache = [], {}
    for name, m in model.named_modules():
        if name not in shapes:
            continue
        in_shape, out_shape = shapes[name]
        k, s, p = m.kernel_size[0], m.stride[0], m.padding[0]
        key = (tuple(in_shape), k, s)
        if key not in cache:
            x = torch.randn(in_shape, device=example.device).contiguous(memory_format=torch.channels_last)
            g = torch.randn(out_shape, device=example.device).contiguous(memory_format=torch.channels_last)
            w = m.weight.detach()
            native = _time_ms(lambda: torch.ops.aten.convolution_backward(
                g, x, w, None, [s, s], [p, p], [1, 1], False, [0, 0], w.shape[0], [False, True, False]), repeats)
            shifted = _time_ms(lambda: depthwise_weight_grad(x, g, k, s, p), repeats)
            cache[key] = (native, shifted)
        native, shifted = cache[key]
        m.shifted_grad = shifted < native
        rows.append((name, native, shifted))
    return rows
