#!/usr/bin/env python3
"""Promote a campaign run's best.pt to the checkpoint committed in git, only when it is better on validation.

  /usr/bin/python3 models/training/promote.py --best models/training/runs/campaign/best.pt \
      --checkpoint models/training/checkpoints/effnetb3-fer2013-48.pt --session 2026-11-30

The committed file holds EMA weights + BatchNorm buffers in fp16 (fertrain.checkpoint.WEIGHTS_FORMAT, ~21 MB)
and the campaign's history: one row per session that trained (date, epochs, CPU minutes, validation accuracy
and macro recall), which model_card.py prints. Selection is on validation (PublicTest) accuracy only.
Exit status: 0 promoted, 3 not better (nothing written).
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fertrain import load_checkpoint  # noqa: E402
from fertrain.checkpoint import WEIGHTS_FORMAT, checkpoint_weights, save_weights  # noqa: E402


def session_row(best: dict, run_history: list, session: str) -> dict:
    """What one session's run did (all its epochs, the partial last one as a fraction; its CPU minutes)
    and the metrics of the epoch it selected."""
    history = [h for h in run_history if h.get("epoch", -1) >= 0]
    epochs = sum(h["steps"] / h["steps_per_epoch"] if "steps" in h else 1.0 for h in history)
    cpu_s = history[-1].get("cpu_s") if history else None
    return {"session": session, "epochs": round(epochs, 2), "selected_epoch": best["epoch"],
            "cpu_minutes": round(cpu_s / 60, 1) if cpu_s else None,
            "wall_minutes": round(sum(h.get("epoch_s", 0) for h in history) / 60, 1),
            "accuracy": best["metrics"]["accuracy"], "macroRecall": best["metrics"]["macroRecall"],
            "init_from": os.path.basename(best["config"].get("init_from") or "") or None}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--best", required=True, help="a run's best.pt, or a weights file (the first warm start)")
    p.add_argument("--checkpoint", required=True, help="the committed weights file to replace")
    p.add_argument("--session", required=True, help="the session's date, for the history")
    p.add_argument("--force", action="store_true", help="write even if not better (first import only)")
    p.add_argument("--row", help="history row for a weights file without one: epochs,cpu_minutes,wall_minutes")
    args = p.parse_args(argv)

    best = load_checkpoint(args.best)
    committed = load_checkpoint(args.checkpoint) if os.path.exists(args.checkpoint) else None
    old_acc = committed["metrics"]["accuracy"] if committed else -1.0
    new_acc = best["metrics"]["accuracy"]
    if new_acc <= old_acc and not args.force:
        print(f"not promoted: validation accuracy {new_acc:.4f} does not beat the committed {old_acc:.4f}")
        return 3
    campaign = list(committed.get("campaign", [])) if committed else []
    if best.get("format") == WEIGHTS_FORMAT:
        epochs, cpu, wall = ([float(v) if v else None for v in args.row.split(",")] if args.row
                             else (best["epoch"] + 1, None, None))
        row = {"session": args.session, "epochs": epochs, "selected_epoch": best["epoch"], "cpu_minutes": cpu,
               "wall_minutes": wall, "accuracy": best["metrics"]["accuracy"],
               "macroRecall": best["metrics"]["macroRecall"], "init_from": None}
        kind = best.get("weights_kind", "ema")
    else:
        last = os.path.join(os.path.dirname(args.best), "last.pt")
        run_history = load_checkpoint(last)["history"] if os.path.exists(last) else best.get("history", [])
        row = session_row(best, run_history, args.session)
        kind = best.get("weights", "ema")
    campaign.append(row)
    history = best.get("history", [])
    if best.get("format") != WEIGHTS_FORMAT:
        history = run_history  # every epoch of the session's run, not only those up to the selected one
    save_weights(args.checkpoint, checkpoint_weights(best), weights_kind=kind, config=best["config"],
                 epoch=best["epoch"], metrics=best["metrics"], history=history,
                 extra={"campaign": campaign})
    print(f"promoted: validation accuracy {old_acc:.4f} -> {new_acc:.4f} "
          f"(macro recall {best['metrics']['macroRecall']:.4f}), {args.checkpoint} "
          f"{os.path.getsize(args.checkpoint) / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
