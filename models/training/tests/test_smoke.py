"""End-to-end smoke test on the committed fixture (280 train / 84 val FER2013 images, same u8.xz format):
train one short epoch, stop on a time budget and resume, evaluate, export to ONNX, check the graph."""
import json
import os

import numpy as np
import onnx
import pytest

import evaluate
import export
import model_card
import train
from conftest import FIXTURE_DATA
from fertrain import LABELS
from fertrain.data import load_split

SIZE = 32  # small so that CI stays fast; the pipeline is size-agnostic
TRAIN_ARGS = ["--data", FIXTURE_DATA, "--size", str(SIZE), "--epochs", "1", "--batch-size", "16",
              "--limit-train", "128", "--threads", "2", "--warmup-epochs", "0.5"]


def test_fixture_is_fer2013_format():
    train_split, val = load_split(FIXTURE_DATA, "train"), load_split(FIXTURE_DATA, "val")
    assert train_split.images.shape[1:] == (48, 48) and len(train_split) == 280 and len(val) == 84
    assert set(train_split.labels.tolist()) == set(range(len(LABELS)))


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("run"))
    # a budget too small for any step: it must save a resumable checkpoint and stop
    assert train.main(TRAIN_ARGS + ["--out", out, "--time-budget-minutes", "0.001"]) == 0
    assert os.path.exists(os.path.join(out, "last.pt")) and not os.path.exists(os.path.join(out, "best.pt"))
    assert train.main(TRAIN_ARGS + ["--out", out, "--resume"]) == 0
    return out


def test_training_checkpoints_and_logs_an_epoch(run_dir):
    with open(os.path.join(run_dir, "log.jsonl")) as f:
        epochs = [json.loads(line) for line in f]
    assert [e["epoch"] for e in epochs] == [0]
    assert np.isfinite(epochs[0]["train_loss"])
    assert os.path.exists(os.path.join(run_dir, "best.pt"))


def test_evaluate_writes_metrics_and_probabilities(run_dir, tmp_path):
    metrics_path, probs_path = tmp_path / "m.json", tmp_path / "p.f32"
    assert evaluate.main(["--checkpoint", os.path.join(run_dir, "best.pt"), "--data", FIXTURE_DATA,
                          "--json", str(metrics_path), "--probs", str(probs_path)]) == 0
    m = json.loads(metrics_path.read_text())
    assert m["images"] == 84 and len(m["confusionMatrix"]) == len(LABELS)
    probs = np.fromfile(probs_path, "<f4").reshape(-1, len(LABELS))
    assert probs.shape == (84, len(LABELS)) and np.allclose(probs.sum(1), 1, atol=1e-5)


@pytest.mark.parametrize("tta", ["off", "on"])
def test_export_onnx_and_manifest(run_dir, tmp_path, tta):
    model_dir = tmp_path / "effnetb3-fer2013"
    model_dir.mkdir()
    calibrated = {"calibrated": True, "boxScale": 1.17, "centerShiftX": 0.01, "centerShiftY": 0.05, "alignEyes": True,
                  "method": "camera"}
    (model_dir / "model.json").write_text(json.dumps({"id": "effnetb3-fer2013", "crop": calibrated, "note": "kept"}))
    probs_path = tmp_path / "val-probs.f32"
    assert export.main(["--checkpoint", os.path.join(run_dir, "best.pt"), "--model-dir", str(model_dir),
                        "--data", FIXTURE_DATA, "--probs", str(probs_path), "--tta", tta]) == 0

    model = onnx.load(str(model_dir / "model.onnx"))
    onnx.checker.check_model(model)
    assert model.opset_import[0].version <= 17
    inferred = onnx.shape_inference.infer_shapes(model)
    (inp,), (out,) = inferred.graph.input, inferred.graph.output
    in_dims = [d.dim_param or d.dim_value for d in inp.type.tensor_type.shape.dim]
    out_dims = [d.dim_param or d.dim_value for d in out.type.tensor_type.shape.dim]
    assert inp.name == "input" and in_dims[1:] == [1, SIZE, SIZE] and isinstance(in_dims[0], str)
    assert isinstance(out_dims[0], str) and out_dims[1:] == [len(LABELS)]

    manifest = json.loads((model_dir / "model.json").read_text())
    assert manifest["crop"] == calibrated and manifest["note"] == "kept"
    assert manifest["labels"] == LABELS and manifest["opset"] == 17
    assert manifest["input"]["height"] == manifest["input"]["width"] == SIZE
    assert manifest["output"]["name"] == out.name
    assert manifest["output"]["type"] == "logits"
    assert manifest["tta"] == {"horizontalFlip": tta == "on", "bakedIntoGraph": False}  # one pass per image in the graph
    assert manifest["metrics"]["images"] == 84
    assert (model_dir / "confusion-val.png").stat().st_size > 0
    assert np.fromfile(probs_path, "<f4").size == 84 * len(LABELS)


def test_model_card_has_metrics_and_confusion_table(run_dir, tmp_path):
    model_dir = tmp_path / "effnetb3-fer2013"
    assert export.main(["--checkpoint", os.path.join(run_dir, "best.pt"), "--model-dir", str(model_dir),
                        "--data", FIXTURE_DATA]) == 0
    assert model_card.main(["--model-dir", str(model_dir), "--checkpoint", os.path.join(run_dir, "best.pt"),
                            "--compute", "a test"]) == 0
    card = (model_dir / "MODEL_CARD.md").read_text()
    assert "| **disgust** |" in card and "confusion-val.png" in card and "Known limits" in card


def test_manifest_writer_writes_a_complete_crop_and_refuses_to_keep_an_incomplete_one(tmp_path):
    """The field-by-field agreement with the Java reader is checked by models' ManifestContractTest."""
    fresh = export.write_manifest(str(tmp_path), 48, 1, "logits", 17, "0.0.1")
    assert fresh["crop"] == export.DEFAULT_CROP and set(fresh["crop"]) >= {"centerShiftX", "centerShiftY", "calibrated"}
    old = tmp_path / "old"
    old.mkdir()
    (old / "model.json").write_text(json.dumps({"crop": {"calibrated": True, "boxScale": 1.1, "centerShiftY": 0.0,
                                                         "alignEyes": True, "method": "old"}}))
    with pytest.raises(ValueError, match="centerShiftX"):
        export.write_manifest(str(old), 48, 1, "logits", 17, "0.0.1")
    assert "centerShiftX" not in json.loads((old / "model.json").read_text())["crop"]  # left as it was
