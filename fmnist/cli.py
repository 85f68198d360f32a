"""`python -m fmnist ...`: a thin command line over the package.

Every mistake a user can make (a missing file, missing data, a bad model path) ends in one clear
sentence on stderr and a non-zero exit, never a traceback. Exit codes: 0 ok, 1 failure, 2 usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from fmnist.config import ASSETS_DIR, CLASS_NAMES, DEFAULT_MODEL, MODEL_NAMES


class UserError(Exception):
    """Anything the user can fix; printed as one line, exit 1."""


def _model_arg(value: str) -> str:
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m fmnist", description="Fashion-MNIST: train, evaluate, predict, explain.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = commands.add_parser("train", help="train a model from its recipe and write it with its model card")
    p.add_argument("--model", choices=MODEL_NAMES, default=DEFAULT_MODEL)
    p.add_argument("--epochs", type=int, help="override the recipe's epochs")
    p.add_argument("--seed", type=int, help="override the recipe's seed")
    p.add_argument("--out", type=Path, default=ASSETS_DIR, help="folder for <model>.keras and <model>.json (default: assets/)")

    model_help = "mlp, cnn, or a path to a .keras file (default: cnn)"
    p = commands.add_parser("evaluate", help="accuracy, per-class accuracy and confusion matrix on the test split")
    p.add_argument("--model", default=DEFAULT_MODEL, help=model_help)
    p.add_argument("--photos", action="store_true", help="also report accuracy on photo-like and drawn renderings of the test split")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")

    p = commands.add_parser("predict", help="classify image files (any format Pillow reads)")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--model", default=DEFAULT_MODEL, help=model_help)
    p.add_argument("--top", type=int, default=3, help="how many classes to print per file (default 3)")
    p.add_argument("--json", action="store_true", help="print a JSON list, one object per file")

    p = commands.add_parser("explain", help="write a heatmap of the pixels that drove a prediction")
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--model", default=DEFAULT_MODEL, help=model_help)
    p.add_argument("--method", choices=("occlusion", "gradient"), default="occlusion")
    p.add_argument("--out", type=Path, default=Path("heatmap.png"))

    p = commands.add_parser("export", help="export a model for deployment and verify the artifact")
    p.add_argument("--model", default=DEFAULT_MODEL, help=model_help)
    p.add_argument("--format", choices=("saved_model", "litert"), required=True)
    p.add_argument("--out", type=Path, help="output path (default: exports/<model>_<format>)")

    commands.add_parser("data", help="say where the dataset was found, or fetch it")

    p = commands.add_parser("bench", help="print a table of load and predict timings for both models")
    p.add_argument("--repeats", type=int, default=200)
    return parser


# --- commands --------------------------------------------------------------------------------------


def cmd_train(args) -> int:
    from fmnist import data, training

    recipe = training.RECIPES[args.model]
    recipe = replace(recipe, epochs=args.epochs or recipe.epochs, seed=recipe.seed if args.seed is None else args.seed)
    if recipe.epochs < 1:
        raise UserError("--epochs must be at least 1.")
    train_split = data.load_split("train")
    test_split = data.load_split("test")
    print(f"Training {args.model} for {recipe.epochs} epochs on {len(train_split[0]):,} images…", file=sys.stderr)
    result = training.train(recipe, train_split, test_split, verbose=1)
    path, card = training.save(result, test_split, args.out)
    print(f"Wrote {path} and {path.with_suffix('.json')}: test accuracy {card['test_accuracy']:.4f}, {result.seconds:.0f} s.")
    return 0


def cmd_data(args) -> int:
    from fmnist import data

    for split in ("train", "test"):
        found = data.find_split(split)
        if found is None:
            print(f"{split}: not found locally; downloading with Keras…", file=sys.stderr)
            data.download_with_keras()
            found = data.find_split(split)
        print(f"{split}: {found[1]} ({found[0]})")
    return 0


COMMANDS = {"train": cmd_train, "data": cmd_data}


def main(argv: list[str] | None = None) -> int:
    from fmnist.data import DataError
    from fmnist.models import ModelLoadError

    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (UserError, DataError, ModelLoadError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
