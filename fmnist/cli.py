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

from fmnist.config import ASSETS_DIR, CLASS_NAMES, DEFAULT_MODEL, MODEL_NAMES, SHIPPED_MODELS


class UserError(Exception):
    """Anything the user can fix; printed as one line, exit 1."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m fmnist", description="Fashion-MNIST: train, evaluate, predict, explain.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = commands.add_parser("train", help="train a model from its recipe and write it with its model card")
    p.add_argument("--model", choices=SHIPPED_MODELS, default=DEFAULT_MODEL)
    p.add_argument("--epochs", type=int, help="override the recipe's epochs")
    p.add_argument("--seed", type=int, help="override the recipe's seed")
    p.add_argument("--out", type=Path, default=ASSETS_DIR, help="folder for <model>.keras and <model>.json (default: assets/)")

    model_help = "mlp, cnn, or a path to a .keras file (default: cnn)"
    p = commands.add_parser("evaluate", help="accuracy, per-class accuracy and confusion matrix on the test split")
    p.add_argument("--model", help=model_help + "; with --photos, both shipped models")
    p.add_argument("--photos", action="store_true", help="compare clean accuracy with photo-like and drawn renderings of the test split")
    p.add_argument("--drawings", action="store_true", help="accuracy on test items drawn as people draw: outlines and scribbled-in")
    p.add_argument("--photos-dir", type=Path, metavar="DIR", help="accuracy on a folder of real photos listed in its labels.csv (file,label,class)")
    halves = ("tuning", "held-out")
    p.add_argument("--half", choices=halves, help="with --photos-dir: only that half of its fixed split by file")
    p.add_argument("--megapixels", type=float, metavar="MP",
                   help="with --photos-dir: send each photo as a phone would, scaled to MP megapixels (12: a phone's) and as a JPEG")
    p.add_argument("--count", type=int, default=2000, help="test images to render with --photos or --drawings (default 2000)")
    p.add_argument("--seed", type=int, default=0, help="seed of the hand that draws with --drawings (default 0)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")

    file_model_help = "mlp, cnn, or a path to a .keras file (default: the model the Photo page asks, cnn_photo)"
    p = commands.add_parser("predict", help="classify image files (any format Pillow reads)")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--model", help=file_model_help)
    p.add_argument("--top", type=int, default=3, help="how many classes to print per file (default 3)")
    p.add_argument("--json", action="store_true", help="print a JSON list, one object per file")

    p = commands.add_parser("explain", help="write a heatmap of the pixels that drove a prediction")
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--model", help=file_model_help)
    p.add_argument("--method", choices=("occlusion", "gradient"), default="occlusion")
    p.add_argument("--target", choices=CLASS_NAMES, metavar="CLASS", help="class to explain (default: the predicted one)")
    p.add_argument("--out", type=Path, default=Path("heatmap.png"))

    p = commands.add_parser("export", help="export a model for deployment and verify the artifact")
    p.add_argument("--model", default=DEFAULT_MODEL, help=model_help)
    p.add_argument("--format", choices=("saved_model", "litert"), required=True)
    p.add_argument("--out", type=Path, help="output path (default: exports/<model>_saved_model or exports/<model>.tflite)")

    p = commands.add_parser("twin", help="write the LiteRT twin the app serves a .keras file with, and verify it")
    p.add_argument("--model", default=DEFAULT_MODEL, help=model_help)

    commands.add_parser("data", help="say where the dataset was found, or fetch it")

    p = commands.add_parser("bench", help="print a table of load and predict timings for both models")
    p.add_argument("--repeats", type=int, default=200)
    return parser


# --- commands --------------------------------------------------------------------------------------


def cmd_train(args) -> int:
    from fmnist import data, training
    from fmnist.photoset import PhotoSetError

    recipe = training.RECIPES[args.model]
    recipe = replace(
        recipe,
        epochs=recipe.epochs if args.epochs is None else args.epochs,
        seed=recipe.seed if args.seed is None else args.seed,
    )
    if recipe.epochs < 1:
        raise UserError("--epochs must be at least 1.")
    train_split = data.load_split("train")
    test_split = data.load_split("test")
    extra = [f"{2 * recipe.real_inputs:,} hand drawings of train images"] if recipe.real_inputs else []
    extra += [f"{recipe.tuning_photos} variants of each tuning photo"] if recipe.tuning_photos else []
    images = f"{len(train_split[0][: recipe.train_images]):,} images" + "".join(f" plus {e}" for e in extra)
    print(f"Training {args.model} for {recipe.epochs} epochs on {images}…", file=sys.stderr)
    try:
        result = training.train(recipe, train_split, test_split, verbose=1)
    except PhotoSetError as exc:  # cnn_photo learns from the shared photos' tuning half
        raise UserError(f"{args.model} learns from real photos: {exc}") from exc
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


def cmd_evaluate(args) -> int:
    from fmnist import data, metrics
    from fmnist.models import load_model

    if args.photos_dir is not None:
        return _evaluate_photo_folder(args)
    if args.half is not None or args.megapixels is not None:
        option = "--half picks half of" if args.half is not None else "--megapixels scales the photos of"
        raise UserError(f"{option} a photo folder: give the folder with --photos-dir.")
    images, labels = data.load_test_split()
    if args.photos:
        return _evaluate_renderings(args, images, labels)
    if args.drawings:
        return _evaluate_drawings(args, images, labels)
    classifier = load_model(args.model or DEFAULT_MODEL)
    summary = metrics.summarize(labels, classifier.predict(images))
    summary["model"] = str(args.model or DEFAULT_MODEL)
    if args.json:
        print(json.dumps(summary, indent=1))
        return 0
    print(f"{summary['model']}: test accuracy {summary['accuracy']:.4f} on {summary['count']:,} images\n")
    width = max(map(len, CLASS_NAMES))
    for name, accuracy in summary["per_class_accuracy"].items():
        print(f"  {name:<{width}}  {accuracy:.3f}")
    print("\nconfusion matrix (rows: true, columns: predicted, in label order)")
    for name, row in zip(CLASS_NAMES, summary["confusion_matrix"]):
        print(f"  {name:<{width}} " + " ".join(f"{v:4d}" for v in row))
    return 0


def _evaluate_renderings(args, images, labels) -> int:
    from fmnist.models import load_model
    from fmnist.renderings import rendering_accuracy

    if args.count < 1:
        raise UserError("--count must be at least 1.")
    names = [args.model] if args.model else list(MODEL_NAMES)
    rows = []
    for name in names:
        accuracy = rendering_accuracy(load_model(name), images, labels, min(args.count, len(images)))
        rows.append({"model": str(name), **accuracy, "photo_over_clean": accuracy["photo"] / accuracy["clean"]})
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    print(f"accuracy on the first {min(args.count, len(images)):,} test images, each through fmnist.to_model_input\n")
    print("model | clean | photo | drawing | photo / clean")
    print("--- | --- | --- | --- | ---")
    for r in rows:
        print(f"{r['model']} | {r['clean']:.4f} | {r['photo']:.4f} | {r['drawing']:.4f} | {r['photo_over_clean']:.3f}")
    return 0


def _evaluate_photo_folder(args) -> int:
    from fmnist.models import load_model
    from fmnist.photoset import PhotoSetError, evaluate_folder

    name = _file_model(args)
    classifier = load_model(name)
    try:
        summary = evaluate_folder(classifier, args.photos_dir, args.half, args.megapixels)
    except PhotoSetError as exc:
        raise UserError(str(exc)) from exc
    summary["model"] = str(name)
    if classifier.card.get("recipe", {}).get("tuning_photos") and args.half != "held-out":
        print(f"note: {name} learned from the tuning half of the shared photos; "
              "on that set only --half held-out measures it on photos it has not seen.", file=sys.stderr)
    if args.json:
        print(json.dumps(summary, indent=1))
        return 0
    where = f"{args.photos_dir}" + (f" ({args.half} half)" if args.half else "")
    where += f", each sent as a {args.megapixels:g} MP JPEG" if args.megapixels else ""
    print(f"{summary['model']}: {summary['accuracy']:.1%} of {summary['count']} photos in {where} ({summary['correct']} right)\n")
    width = max(map(len, CLASS_NAMES))
    for class_name, accuracy in summary["per_class_accuracy"].items():
        count = summary["per_class_count"][class_name]
        print(f"  {class_name:<{width}}  {accuracy:6.1%}  {round(accuracy * count):3d}/{count}")
    wrong = [r for r in summary["photos"] if r["predicted"] != r["true"]]
    if wrong:
        print("\nwrong: " + "; ".join(f"{r['file']} → {r['predicted'] or r['error']}" for r in wrong))
    return 0


def _evaluate_drawings(args, images, labels) -> int:
    from fmnist.models import load_model, resolve_model_file
    from fmnist.renderings import HAND_STYLES, hand_drawing_accuracy

    if args.count < 1:
        raise UserError("--count must be at least 1.")
    count = min(args.count, len(images))
    names = [args.model] if args.model else [name for name in SHIPPED_MODELS if resolve_model_file(name).is_file()]
    result = hand_drawing_accuracy({str(name): load_model(name) for name in names}, images, labels, count, args.seed)
    if args.json:
        print(json.dumps(result, indent=1))
        return 0
    print(f"accuracy on the first {count:,} test images drawn by hand (seed {args.seed}), each through the Draw page's conversion\n")
    print("model | " + " | ".join(HAND_STYLES))
    print("--- | " + " | ".join("---" for _ in HAND_STYLES))
    for name, styles in result.items():
        print(f"{name} | " + " | ".join(f"{styles[style]['accuracy']:.4f}" for style in HAND_STYLES))
    columns = [(name, style) for name in result for style in HAND_STYLES]
    print("\nper class | " + " | ".join(f"{name} {style}" for name, style in columns))
    print("--- | " + " | ".join("---" for _ in columns))
    for i, class_name in enumerate(CLASS_NAMES):
        print(f"{class_name} | " + " | ".join(f"{result[name][style]['per_class'][i]:.2f}" for name, style in columns))
    return 0


def _file_model(args) -> str:
    """The model named by --model, else the one the Photo page asks: an image file is served as a photo."""
    from fmnist.models import model_for

    return args.model or model_for(DEFAULT_MODEL, "photo")


def cmd_predict(args) -> int:
    from fmnist.imaging import ImageError, to_model_input
    from fmnist.models import load_model

    if args.top < 1:
        raise UserError("--top must be at least 1.")
    classifier = load_model(_file_model(args))
    results = []
    for path in args.files:
        try:
            probabilities = classifier.predict(to_model_input(path))[0]
        except ImageError as exc:
            results.append({"path": str(path), "error": str(exc)})
            continue
        index = int(probabilities.argmax())
        results.append(
            {"path": str(path), "label": CLASS_NAMES[index], "index": index, "probabilities": [float(p) for p in probabilities]}
        )
    if args.json:
        print(json.dumps(results, indent=1))
    else:
        for r in results:
            if "error" in r:
                print(f"{r['path']}: error: {r['error']}")
                continue
            ranked = sorted(range(len(CLASS_NAMES)), key=lambda i: -r["probabilities"][i])[: args.top]
            print(f"{r['path']}: " + ", ".join(f"{CLASS_NAMES[i]} {r['probabilities'][i]:.1%}" for i in ranked))
    return 1 if any("error" in r for r in results) else 0


def cmd_explain(args) -> int:
    import time

    from fmnist import explain, plots
    from fmnist.imaging import ImageError, to_model_input
    from fmnist.models import load_model

    classifier = load_model(_file_model(args))
    try:
        image = to_model_input(args.file)
    except ImageError as exc:
        raise UserError(f"{args.file}: {exc}") from exc
    probabilities = classifier.predict(image)[0]
    target = CLASS_NAMES.index(args.target) if args.target else int(probabilities.argmax())
    explain.explain(classifier, image, target, args.method)  # first call traces; time the second
    start = time.perf_counter()
    heatmap = explain.explain(classifier, image, target, args.method)
    elapsed = time.perf_counter() - start
    try:
        plots.heatmap_overlay(image, heatmap).save(args.out)
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot write {args.out}: {exc}") from exc
    print(
        f"{args.file}: {CLASS_NAMES[int(probabilities.argmax())]} {probabilities.max():.1%}; "
        f"{args.method} heatmap for {CLASS_NAMES[target]} in {elapsed * 1000:.0f} ms → {args.out}"
    )
    return 0


def cmd_export(args) -> int:
    from fmnist import data
    from fmnist.export import ExportError, default_path, export
    from fmnist.models import load_model, resolve_model_file

    classifier = load_model(args.model)
    path = args.out or default_path(resolve_model_file(args.model).stem, args.format)
    images, _ = data.load_test_split()
    try:
        report = export(classifier, args.format, path, images[:100])
    except ExportError as exc:
        raise UserError(str(exc)) from exc
    print(
        f"Wrote {report.path}; verified on {report.images} test images: "
        f"max |Δ| = {report.max_abs_difference:.1e}, same class for all: {report.same_argmax}."
    )
    return 0


def cmd_twin(args) -> int:
    from fmnist import data
    from fmnist.engines import EngineError
    from fmnist.models import add_twin, load_card, load_keras_model, predictions_path, resolve_model_file

    path = resolve_model_file(args.model)
    model = load_keras_model(path)
    try:
        card = add_twin(model, path, load_card(path), data.load_test_split()[0][:200])
    except EngineError as exc:
        raise UserError(str(exc)) from exc
    predictions = predictions_path(path)
    print(
        f"Wrote {path.with_name(card['litert']['file'])}; max |Δ| = {card['litert']['max_abs_difference']:.1e} on 200 test images."
        + (f" Wrote its test-split predictions to {predictions}." if predictions.is_file() else "")
    )
    return 0


def cmd_bench(args) -> int:
    from fmnist import bench, data

    images, _ = data.load_test_split()
    rows = [bench.bench_model(name, images, args.repeats) for name in MODEL_NAMES]
    print(bench.format_table(rows))
    print("\n" + bench.format_photo_table(bench.bench_photo_conversion(images)))
    print("\n" + bench.format_inside_table(bench.bench_inside(images)))
    return 0


COMMANDS = {
    "train": cmd_train,
    "evaluate": cmd_evaluate,
    "predict": cmd_predict,
    "explain": cmd_explain,
    "export": cmd_export,
    "twin": cmd_twin,
    "data": cmd_data,
    "bench": cmd_bench,
}


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
