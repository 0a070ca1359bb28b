"""Command-line flags that train.py and train_gpu.py share: the same recipe knobs, spelled and defaulted once."""
import argparse


def add_recipe_arguments(p: argparse.ArgumentParser):
    """Optimiser schedule, loss and regularisation flags (defaults: the full recipe)."""
    p.add_argument("--lr", type=float, default=2e-3, help="AdamW peak learning rate")
    p.add_argument("--weight-decay", type=float, default=0.05)
    p.add_argument("--warmup-epochs", type=float, default=3.0)
    p.add_argument("--min-lr-ratio", type=float, default=0.01)
    p.add_argument("--label-smoothing", type=float, default=0.1)
    p.add_argument("--balance-power", type=float, default=0.5, help="class weights (n_max/n_c)^power")
    p.add_argument("--drop-path", type=float, default=0.2)
    p.add_argument("--dropout", type=float, default=0.3)
    p.add_argument("--erasing", type=float, default=0.25, help="random-erasing probability")
    p.add_argument("--rotation", type=float, default=12.0, help="max rotation in degrees")


def add_run_arguments(p: argparse.ArgumentParser):
    """Where and on what the run happens."""
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--device", default="auto", help="auto, cpu, cuda")
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (0 = torch default)")
    p.add_argument("--limit-train", type=int, default=0, help="a seeded random subset of N training images (tests)")
    p.add_argument("--limit-val", type=int, default=0)
