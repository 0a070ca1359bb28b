"""The campaign's pieces on the fixture: a warm start trained on a wall-clock cosine (--init-from, --schedule
time), and promote.py, which replaces the committed fp16 weights only with something better on validation."""
import json
import os

import torch

import promote
import train
from conftest import FIXTURE_DATA, TRAINING_DIR
from fertrain import LABELS, load_checkpoint
from fertrain.checkpoint import WEIGHTS_FORMAT, load_model
from fertrain.model import efficientnet_b3

COMMITTED = os.path.join(TRAINING_DIR, "checkpoints", "effnetb3-fer2013-48.pt")
SMALL = ["--data", FIXTURE_DATA, "--size", "32", "--batch-size", "16", "--limit-train", "96", "--threads", "2",
         "--mix-prob", "0", "--eval-weights", "ema", "--warmup-epochs", "0.5"]


def test_committed_checkpoint_is_fp16_weights_with_history():
    ck = load_checkpoint(COMMITTED)
    assert ck["format"] == WEIGHTS_FORMAT and ck["weights_kind"] == "ema"
    assert all(v.dtype == torch.float16 for v in ck["weights"].values() if v.is_floating_point())
    assert ck["campaign"] and ck["metrics"]["accuracy"] == ck["campaign"][-1]["accuracy"]
    net, cfg, _ = load_model(COMMITTED)
    assert cfg["size"] == 48 and net(torch.zeros(1, 1, 48, 48)).shape == (1, len(LABELS))


def test_warm_start_on_a_time_schedule(tmp_path):
    out = str(tmp_path / "run")
    assert train.main(SMALL + ["--out", out, "--init-from", COMMITTED, "--schedule", "time",
                               "--time-budget-minutes", "0.75", "--epochs", "1000", "--steps-per-epoch", "4"]) == 0
    state = load_checkpoint(os.path.join(out, "last.pt"))
    history = state["history"]
    assert history[0]["epoch"] == -1 and 0 <= history[0]["init_accuracy"] <= 1  # the start is a candidate
    epochs = [h for h in history if h["epoch"] >= 0]
    assert epochs and all(h["s_per_step"] > 0 and h["steps"] <= 4 for h in epochs)
    # one whole cosine inside the budget: the last epoch ends near the floor of the schedule
    assert epochs[-1]["lr_end"] < 0.05 * 2e-3  # peak: train.py's default lr
    if os.path.exists(os.path.join(out, "best.pt")):
        assert load_checkpoint(os.path.join(out, "best.pt"))["metrics"]["accuracy"] > history[0]["init_accuracy"]


def test_promote_only_when_better(tmp_path):
    out = str(tmp_path / "run")
    assert train.main(SMALL + ["--out", out, "--epochs", "1", "--steps-per-epoch", "3"]) == 0
    best, target = os.path.join(out, "best.pt"), str(tmp_path / "committed.pt")
    assert promote.main(["--best", best, "--checkpoint", target, "--session", "2026-11-30"]) == 0
    ck = load_checkpoint(target)
    assert ck["format"] == WEIGHTS_FORMAT
    assert list(ck["weights"]) == list(efficientnet_b3(len(LABELS), 1).state_dict())
    row = ck["campaign"][-1]
    assert row["session"] == "2026-11-30" and row["epochs"] == 1 and row["cpu_minutes"] is not None
    assert row["accuracy"] == load_checkpoint(best)["metrics"]["accuracy"]
    before = os.path.getmtime(target)
    assert promote.main(["--best", best, "--checkpoint", target, "--session", "2026-12-01"]) == 3  # not better
    assert os.path.getmtime(target) == before and len(load_checkpoint(target)["campaign"]) == 1
    json.dumps(ck["campaign"])  # the history is plain data (model_card.py prints it)
