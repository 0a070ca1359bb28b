"""train_gpu.py end to end on the CPU with the committed fixture (tiny: 64 training images, 32-40 px inputs):
data in pieces, throughput probe, fallback size, evaluations, the weights cut into <= 16 MiB pieces and joined."""
import json
import os
import shutil

import pytest
import torch
import torch.nn.functional as F

import train_gpu
from conftest import FIXTURE_DATA
from fertrain import LABELS, load_checkpoint
from fertrain.checkpoint import WEIGHTS_FORMAT, load_model
from fertrain.data import load_split
from fertrain.model import efficientnet_b3

MIB16 = 16 * 1024 * 1024
# --min-epochs 1000 cannot fit: the probe at 40 px must fall back to 32 px and probe again
ARGS = ["--limit-train", "64", "--batch-size", "16", "--size", "40", "--fallback-size", "32", "--min-epochs", "1000",
        "--probe-steps", "2", "--minutes", "0.3", "--reserve-s", "2", "--max-epochs", "6", "--eval-every", "2",
        "--eval-batch", "128", "--threads", "1"]  # one thread: two stall badly on a busy 2-core machine


@pytest.fixture(scope="module")
def pieces_data(tmp_path_factory):
    """The fixture with train-images.u8.xz cut into pieces as the README's `split -b` does (no whole file)."""
    d = tmp_path_factory.mktemp("data")
    with open(os.path.join(FIXTURE_DATA, "train-images.u8.xz"), "rb") as f:
        blob = f.read()
    piece = len(blob) // 3 + 1
    for i, suffix in enumerate(["aa", "ab", "ac"]):
        (d / f"train-images.part-{suffix}").write_bytes(blob[i * piece:(i + 1) * piece])
    for name in ("train-labels.u8", "val-images.u8.xz", "val-labels.u8"):
        shutil.copy(os.path.join(FIXTURE_DATA, name), d / name)
    return str(d)


@pytest.fixture(scope="module")
def run_out(pieces_data, tmp_path_factory):
    out = str(tmp_path_factory.mktemp("out"))
    assert train_gpu.main(ARGS + ["--data", pieces_data, "--out", out]) == 0
    return out


def test_pieces_load_like_the_whole_file(pieces_data):
    whole, joined = load_split(FIXTURE_DATA, "train"), load_split(pieces_data, "train")
    assert torch.equal(whole.images, joined.images) and torch.equal(whole.labels, joined.labels)
    os.rename(os.path.join(pieces_data, "train-images.part-ab"), os.path.join(pieces_data, "missing"))
    try:
        with pytest.raises(ValueError):
            load_split(pieces_data, "train")
    finally:
        os.rename(os.path.join(pieces_data, "missing"), os.path.join(pieces_data, "train-images.part-ab"))


def test_weights_come_back_in_pieces_and_join(run_out, tmp_path):
    parts = sorted(p for p in os.listdir(run_out) if p.startswith("best.pt.part-"))
    assert parts[0] == "best.pt.part-00" and len(parts) >= 2  # ~21 MB of fp16 weights
    assert all(os.path.getsize(os.path.join(run_out, p)) <= MIB16 for p in parts)
    assert not [p for p in os.listdir(run_out) if p.endswith(".tmp") or p == "best.pt"]
    joined = str(tmp_path / "best.pt")
    assert train_gpu.main(["--join", run_out, joined]) == 0
    ck = load_checkpoint(joined)
    assert ck["format"] == WEIGHTS_FORMAT and ck["weights_kind"] == "ema"
    assert list(ck["weights"]) == list(efficientnet_b3(len(LABELS), 1).state_dict())
    assert ck["weights"]["classifier.1.weight"].dtype == torch.float16
    assert ck["config"]["size"] == 32  # the fallback size
    assert isinstance(ck["epoch"], int)  # train.py's convention: 0-based index of the last epoch trained
    net, cfg, _ = load_model(joined)  # what evaluate.py / export.py do with it
    assert net(torch.zeros(1, 1, cfg["size"], cfg["size"])).shape == (1, len(LABELS))


def test_join_rejects_a_damaged_or_missing_piece(run_out, tmp_path):
    src = tmp_path / "copy"
    shutil.copytree(run_out, src)
    with open(src / "best.pt.part-01", "r+b") as f:
        f.seek(100)
        byte = f.read(1)
        f.seek(100)
        f.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(ValueError):
        train_gpu.join_parts(str(src), str(tmp_path / "bad.pt"))
    assert not os.path.exists(tmp_path / "bad.pt")
    os.remove(src / "best.pt.part-01")
    with pytest.raises(ValueError):
        train_gpu.join_parts(str(src), str(tmp_path / "bad.pt"))


def test_log_and_summary(run_out):
    with open(os.path.join(run_out, "log.jsonl")) as f:
        log = [json.loads(line) for line in f]
    assert log[0]["phase"] == "probe" and log[-1]["phase"] == "final" and len(log) >= 2
    for rec in log:
        assert {"epoch", "s_per_step", "accuracy", "macro_recall"} <= set(rec)
        assert 0 <= rec["accuracy"] <= 1 and rec["s_per_step"] > 0
    with open(os.path.join(run_out, "summary.json")) as f:
        summary = json.load(f)
    assert summary["done"] and summary["size"] == 32 and summary["probe_counted"] and not summary["stopped_early"]
    assert [p["size"] for p in summary["probe"]] == [40, 32]
    assert summary["steps"] == summary["epochs_planned"] * summary["steps_per_epoch"]
    assert summary["weights"]["bytes"] == sum(p["bytes"] for p in summary["weights"]["parts"])
    assert summary["best"]["accuracy"] == max(rec["accuracy"] for rec in log)


def test_warm_start_at_another_size_for_fixed_epochs(run_out, tmp_path):
    weights = str(tmp_path / "init.pt")
    train_gpu.join_parts(run_out, weights)
    out = str(tmp_path / "out")
    assert train_gpu.main(["--data", FIXTURE_DATA, "--out", out, "--init-from", weights, "--size", "24",
                           "--limit-train", "32", "--batch-size", "16", "--probe-steps", "1", "--epochs", "1",
                           "--eval-batch", "128", "--threads", "1"]) == 0
    with open(os.path.join(out, "summary.json")) as f:
        summary = json.load(f)
    assert summary["size"] == 24 and summary["epochs_planned"] == 1 and summary["steps"] == 2
    assert summary["config"]["init_from"] == weights


def test_hard_limit_stops_at_an_epoch_boundary_and_saves(tmp_path):
    out = str(tmp_path / "out")
    assert train_gpu.main(["--data", FIXTURE_DATA, "--out", out, "--size", "24", "--limit-train", "32",
                           "--batch-size", "16", "--probe-steps", "1", "--epochs", "50", "--hard-minutes", "0.001",
                           "--eval-batch", "128", "--threads", "1"]) == 0
    with open(os.path.join(out, "summary.json")) as f:
        summary = json.load(f)
    assert summary["stopped_early"] and summary["steps"] == 2  # the first epoch boundary after the probe
    assert summary["weights"]["parts"] and train_gpu.join_parts(out, str(tmp_path / "w.pt"))["checked"]


def test_loss_is_train_py_loss_without_one_hot():
    torch.manual_seed(0)
    logits, y = torch.randn(8, len(LABELS)), torch.randint(0, len(LABELS), (8,))
    w, s = torch.rand(len(LABELS)) + 0.5, 0.1
    target = F.one_hot(y, len(LABELS)).float() * (1 - s) + s / len(LABELS)
    expected = -(target * F.log_softmax(logits, 1) * w).sum(1).mean()
    assert torch.allclose(train_gpu.weighted_smoothed_loss(logits, y, w, s), expected, atol=1e-6)


def test_plan_epochs_counts_steps_done_and_evaluations():
    # 10 steps/epoch at 1 s, 20 steps already done, eval 5 s every 5 epochs and at the end
    assert train_gpu.plan_epochs(90, 20, 10, 1.0, 5.0, 5, 300) == 10  # 80 steps + evals at epochs 5 and 10
    assert train_gpu.plan_epochs(89, 20, 10, 1.0, 5.0, 5, 300) == 9  # 70 steps + evals at 5 and 9
    assert train_gpu.plan_epochs(104, 20, 10, 1.0, 5.0, 5, 300) == 10
    assert train_gpu.plan_epochs(105, 20, 10, 1.0, 5.0, 5, 300) == 11  # 90 steps + evals at 5, 10 and 11
    assert train_gpu.plan_epochs(1e9, 0, 10, 1.0, 5.0, 5, 300) == 300
    assert train_gpu.plan_epochs(1.0, 20, 10, 1.0, 5.0, 5, 300) == 0
