#!/usr/bin/env python3
"""Write models/<id>/MODEL_CARD.md from model.json (metrics), the run's checkpoint (recipe, history)
and a latency table (markdown file measured with models/bin/latency-bench).

  /usr/bin/python3 models/training/model_card.py --model-dir models/effnetb3-fer2013 \
      --checkpoint models/training/runs/b3-48-cpu/best.pt --latency models/training/latency.md --compute "..."
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fertrain import LABELS, load_checkpoint  # noqa: E402

RECIPE_KEYS = ["size", "channels", "epochs", "steps_per_epoch", "batch_size", "lr", "weight_decay", "warmup_epochs",
               "min_lr_ratio", "label_smoothing", "mixup", "cutmix", "mix_prob", "class_balance", "balance_power",
               "ema_decay", "drop_path", "dropout", "erasing", "rotation", "seed", "schedule",
               "time_budget_minutes", "threads"]


def flip_tta_sentence(tta: dict) -> str:
    if tta.get("bakedIntoGraph"):
        return "Flip TTA baked into the graph."
    if tta.get("horizontalFlip"):
        return ("Flip TTA by the consumer (`\"tta\": {\"horizontalFlip\": true}`): the mean of the logits of the image "
                "and of its mirror, then softmax; the graph is one pass per image.")
    return "No flip TTA."


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model-dir", required=True)
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--latency", help="markdown file with the latency table")
    p.add_argument("--compute", default="", help="what hardware/time the training used")
    p.add_argument("--notes", help="markdown file appended under 'Status'")
    p.add_argument("--bench", help="models/bin/latency-bench output for this model (--batch 1,8)")
    args = p.parse_args(argv)
    with open(os.path.join(args.model_dir, "model.json")) as f:
        manifest = json.load(f)
    ck = load_checkpoint(args.checkpoint)
    cfg, history, campaign = ck["config"], ck.get("history", []), ck.get("campaign", [])
    m = manifest.get("metrics")
    inp = manifest["input"]
    out = []
    w = out.append
    w(f"# Model card: {manifest['id']} {manifest['version']}\n")
    w(f"{manifest['architecture']}. Input: {inp['channels']} x {inp['height']} x {inp['width']} "
      f"({'grayscale' if inp['channels'] == 1 else 'gray replicated to RGB'}), NCHW, "
      f"x = (pixel/255 - {inp['mean'][0]}) / {inp['std'][0]}; "
      f"{'48x48 faces upscaled bilinearly (half-pixel centres)' if inp['height'] > 48 else '48x48 faces as they are'}"
      f". Output `{manifest['output']['name']}` ({manifest['output']['type']}) over "
      f"{', '.join(LABELS)}. ONNX opset {manifest['opset']}, dynamic batch. "
      f"{flip_tta_sentence(manifest.get('tta', {}))}\n")
    if args.notes:
        with open(args.notes) as f:
            w("## Status\n")
            w(f.read().strip() + "\n")
    w("## Data\n")
    w("FER2013 (Goodfellow et al. 2013, ICML Challenges in Representation Learning): 48x48 grayscale web face "
      "crops, 7 classes. Trained on `Training` (28,709 images: angry 3995, disgust 436, fear 4097, happy 7215, "
      "neutral 4965, sad 4830, surprise 3171), model selected on `PublicTest` (3,589 images; used as validation). "
      "Every choice of weights, epoch and recipe was made on PublicTest, so its figures below are selection "
      "figures, optimistic for unseen data. `PrivateTest` is held back as a test set and was not used. Pixels come from the image-folder edition "
      "(JPEG rounding differs from the CSV by ~1.3 grey levels).\n")
    w("## Training recipe\n")
    mixed = cfg.get("mix_prob", 0) > 0
    w("From scratch (no ImageNet weights). He-initialised convolutions (depthwise ones by their own fan-out), the "
      "last BatchNorm of every residual block starting at zero. AdamW (no weight decay on norms/biases), linear "
      "warm-up then cosine decay, gradient clipping 5; augmentation on tensors: random resized crop + horizontal "
      "flip + rotation in one affine resample, brightness/contrast jitter, random erasing; "
      + ("mixup/CutMix; " if mixed else "no mixup/CutMix; ") +
      "label smoothing; class-weighted loss (weights (n_max/n_c)^power, disgust ~3.2); weight EMA; best "
      "checkpoint by validation accuracy.\n")
    if campaign:
        w("Trained in sessions (the model campaign, `models/training/campaign.sh`): each session starts from the "
          "weights the previous one committed, with a new optimiser and one full cosine cycle inside its time "
          "budget (`--schedule time`), and keeps its best epoch only if it beats them on validation.\n")
    w("| setting | value |\n|---|---|")
    skip = set() if mixed else {"mixup", "cutmix"}
    if cfg.get("schedule") == "time":
        skip.add("epochs")  # an upper bound only: the time budget sets the schedule
    for k in RECIPE_KEYS:
        if k in cfg and k not in skip:
            w(f"| {k} | {cfg[k]} |")
    trained = [h for h in history if h.get("epoch", -1) >= 0]
    w(f"| weights exported | {ck.get('weights_kind') or ck.get('weights', '?')} weights after epoch "
      f"{ck.get('epoch', '?')} of the last run, i.e. {int(ck.get('epoch', -1)) + 1} epochs of it "
      f"(the run trained {len(trained)}) |\n")
    w("## Compute used\n")
    if args.compute:
        w(args.compute + "\n")
    if campaign:
        w("History of the campaign, one row per session that trained (validation = PublicTest; CPU minutes are "
          "the training process's CPU time over both cores, where recorded):\n")
        w("| session | epochs | wall minutes | CPU minutes | selected epoch | val accuracy | val macro recall |\n"
          "|---|---|---|---|---|---|---|")
        for r in campaign:
            w(f"| {r['session']} | {r['epochs']:g} | {r.get('wall_minutes') or '-'} | {r.get('cpu_minutes') or '-'} "
              f"| {r['selected_epoch']} | {r['accuracy']:.4f} | {r['macroRecall']:.4f} |")
        w("")
    if history:
        w("Epochs of the last run (EMA weights; epoch -1 is its starting point):\n")
        w("| epoch | steps | train loss | s/step | val accuracy | val macro recall | seconds |\n"
          "|---|---|---|---|---|---|---|")
        for h in history:
            if h.get("epoch", 0) < 0:
                w(f"| start | - | - | - | {h['init_accuracy']:.4f} | {h['init_macro_recall']:.4f} | - |")
                continue
            acc = h.get("ema_accuracy", h.get("raw_accuracy"))
            rec = h.get("ema_macro_recall", h.get("raw_macro_recall"))
            w(f"| {h['epoch']} | {h.get('steps', '-')} | {h['train_loss']:.3f} | {h.get('s_per_step', '-')} "
              f"| {acc:.4f} | {rec:.4f} | {h['epoch_s']} |")
        w("")
    if m:
        w("## Validation results (FER2013 PublicTest, 3,589 images)\n")
        w(f"Accuracy **{m['accuracy']:.4f}**, macro recall **{m['macroRecall']:.4f}** "
          f"(targets: accuracy >= 0.72, macro recall >= 0.65).\n")
        w("| class | precision | recall | support |\n|---|---|---|---|")
        for name in LABELS:
            c = m["perClass"][name]
            w(f"| {name} | {c['precision']:.3f} | {c['recall']:.3f} | {c['support']} |")
        w("\nConfusion matrix (rows = true class, columns = predicted):\n")
        w("| true \\ predicted | " + " | ".join(LABELS) + " |\n|---|" + "---|" * len(LABELS))
        for name, row in zip(LABELS, m["confusionMatrix"]):
            w(f"| **{name}** | " + " | ".join(str(v) for v in row) + " |")
        w("\n![confusion matrix](confusion-val.png)\n")
    if args.bench or args.latency:
        w("## Latency (ONNX Runtime, CPU)\n")
    if args.bench:
        with open(args.bench) as f:
            w("This model, measured at export (`models/bin/latency-bench --batch 1,8 --iterations 200`, the 2-core "
              "development machine):\n\n```\n" + f.read().strip() + "\n```\n")
    if args.latency:
        if args.bench:
            w("Input-size candidates (measured earlier, to choose the size):\n")
        with open(args.latency) as f:
            w(f.read().strip() + "\n")
    w("## Known limits\n")
    w("- Trained on 48x48 grayscale web images: low resolution, no colour; faces must be cropped like FER2013 "
      "(tight, roughly frontal, eyes at about 40% height) — see the manifest's `crop` block.\n"
      "- Frontal bias: few profile, occluded or strongly tilted faces in the data; expect lower accuracy there.\n"
      "- Dataset demographics are not documented and are skewed (web search images, mostly adults, uneven "
      "ethnicity); accuracy across groups has not been measured.\n"
      "- Labels are noisy (human accuracy on FER2013 is ~65%); some images are duplicates, non-faces or mislabelled.\n"
      "- Disgust has 436 training images (1.5%); its recall is the least reliable.\n"
      "- Posed/acted expressions dominate; spontaneous, subtle expressions are harder.\n")
    w("## Intended use\n")
    w("Mood signal for music recommendation in Affectune (a soft, smoothed input to playlist choice), with the "
      "user's consent. Not for identifying people, assessing mental health, hiring, policing, education "
      "monitoring or any decision with consequences for a person. Frames and crops are personal data: never "
      "stored or logged.\n")
    w("## Reproduce\n")
    w("See `models/training/README.md` (training, evaluation, export, parity check).\n")
    with open(os.path.join(args.model_dir, "MODEL_CARD.md"), "w") as f:
        f.write("\n".join(out))
    print(f"wrote {os.path.join(args.model_dir, 'MODEL_CARD.md')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
