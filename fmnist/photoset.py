"""A folder of labelled real photos (`labels.csv`: file,label,class) and the model's accuracy on it.

The project's own measure of the photo pipeline: `python -m fmnist evaluate --photos-dir DIR`.
The shared set lives beside the project (`../shared/photos`) or wherever `$FMNIST_PHOTOS_DIR` says.
It is split once into a half the photo pipeline may be tuned on and a held-out half (`split`).
"""

from __future__ import annotations

import csv
import io
import math
import os
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from fmnist import metrics
from fmnist.config import CLASS_NAMES, PROJECT_ROOT
from fmnist.imaging import MAX_PIXELS, ImageError, open_image, to_model_input

LABELS_FILE = "labels.csv"
SPLIT_SEED = 11  # the number: the split is fixed once, so the held-out half stays held out
HALVES = ("tuning", "held-out")
PHONE_MEGAPIXELS = 12  # what a phone's camera takes, and uploads
PHONE_JPEG_QUALITY = 90
PHONE_GRAIN = 4.0  # grey levels of sensor noise: a 12 MP photo's JPEG is then 2–2.6 MB, as a phone's is


class PhotoSetError(ValueError):
    """A folder that is not a labelled photo set; the message is one sentence for the user."""


def shared_photos_dir() -> Path:
    """Where the shared evaluation photos are: $FMNIST_PHOTOS_DIR, else ../shared/photos beside the project."""
    return Path(os.environ.get("FMNIST_PHOTOS_DIR", PROJECT_ROOT.parent / "shared" / "photos"))


def read_labels(folder: Path) -> list[tuple[Path, int]]:
    """(photo path, label index) for every row of the folder's labels.csv, in file order."""
    folder = Path(folder)
    if not folder.is_dir():
        raise PhotoSetError(f"{folder} is not a folder; give a folder of photos with a {LABELS_FILE}.")
    labels_path = folder / LABELS_FILE
    if not labels_path.is_file():
        raise PhotoSetError(f"{folder} has no {LABELS_FILE}; it needs one with the columns file,label (and optionally class).")
    try:
        with labels_path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise PhotoSetError(f"{labels_path} cannot be read ({exc}).") from exc
    photos = []
    for number, row in enumerate(rows, start=2):  # line 1 is the header
        try:
            label = int(row["label"])
            name = row["file"]
        except (KeyError, TypeError, ValueError) as exc:
            raise PhotoSetError(f"{labels_path}, line {number}: each row needs a file name and a label from 0 to 9.") from exc
        if not 0 <= label < len(CLASS_NAMES) or not name:
            raise PhotoSetError(f"{labels_path}, line {number}: each row needs a file name and a label from 0 to 9.")
        photos.append((folder / name, label))
    if not photos:
        raise PhotoSetError(f"{labels_path} lists no photos.")
    return photos


def split(photos: list[tuple[Path, int]], seed: int = SPLIT_SEED) -> dict[str, list[tuple[Path, int]]]:
    """The photos in two halves, by file and stratified by class: "tuning" and "held-out".

    The photo pipeline's heuristics may be tuned on the first; figures that claim to measure it on
    unseen photos come from the second. Each class's files (sorted by name) are shuffled with `seed`
    and the first half of them (rounded down) is "tuning"; a class of one photo is held out.
    """
    rng = np.random.default_rng(seed)
    halves: dict[str, list[tuple[Path, int]]] = {half: [] for half in HALVES}
    for label in sorted({label for _, label in photos}):
        members = sorted((p for p in photos if p[1] == label), key=lambda p: p[0].name)
        order = rng.permutation(len(members))
        cut = len(members) // 2
        for rank, index in enumerate(order):
            halves[HALVES[0] if rank < cut else HALVES[1]].append(members[index])
    return {half: sorted(members, key=lambda p: photos.index(p)) for half, members in halves.items()}


def scaled_photo(source, megapixels: float) -> Image.Image:
    """The photo upright in RGB, scaled (bicubic, its own aspect) to `megapixels`: the shared photos are
    ~0.2 MP, and this is how they look to the pipeline at a phone's size."""
    photo = ImageOps.exif_transpose(open_image(source)).convert("RGB")
    scale = math.sqrt(megapixels * 1e6 / (photo.width * photo.height))
    return photo.resize((max(1, round(photo.width * scale)), max(1, round(photo.height * scale))), Image.BICUBIC)


def with_grain(photo: Image.Image, rng: np.random.Generator, sigma: float = PHONE_GRAIN) -> Image.Image:
    """The photo with a camera sensor's grain. An upscaled photo is smoother than a phone's: its JPEG is
    a quarter of the size, and cheaper to send and to decode than the file a class really uploads."""
    pixels = np.asarray(photo, dtype=np.float32)
    grain = rng.normal(0.0, sigma, pixels.shape[:2] + (1,)).astype(np.float32)  # in brightness, as a sensor's
    return Image.fromarray(np.clip(pixels + grain, 0, 255).astype(np.uint8))


def phone_jpeg(photo: Image.Image) -> bytes:
    """The photo's file as a phone's camera writes it: a JPEG at quality 90."""
    buffer = io.BytesIO()
    photo.save(buffer, format="JPEG", quality=PHONE_JPEG_QUALITY)
    return buffer.getvalue()


def as_phone_upload(source, megapixels: float = PHONE_MEGAPIXELS) -> bytes:
    """The photo as a phone uploads it: `scaled_photo`, as a `phone_jpeg`."""
    return phone_jpeg(scaled_photo(source, megapixels))


def evaluate_folder(classifier, folder: Path, half: str | None = None, megapixels: float | None = None) -> dict:
    """Accuracy, per-class accuracy (only classes present), confusion matrix and every photo's answer,
    on every photo or on one half of the `split` ("tuning" or "held-out"); with `megapixels`, each photo
    first goes the way a phone's upload does (`as_phone_upload`), decoding included.

    A photo that cannot be read or shows no item counts as wrong and is listed with its error.
    """
    if megapixels is not None and not 0 < megapixels * 1e6 <= MAX_PIXELS:
        raise PhotoSetError(f"Give the megapixels as a number above 0 and up to {MAX_PIXELS // 1_000_000}.")
    photos = read_labels(folder)
    if half is not None:
        if half not in HALVES:
            raise PhotoSetError(f"There is no half called {half!r}; the halves are {' and '.join(HALVES)}.")
        photos = split(photos)[half]
    inputs, errors = [], {}
    for path, _ in photos:
        try:
            inputs.append(to_model_input(path if megapixels is None else as_phone_upload(path, megapixels)))
        except ImageError as exc:
            errors[path] = str(exc)
            inputs.append(np.zeros((28, 28), np.uint8))
    probabilities = classifier.predict(np.stack(inputs))
    labels = np.array([label for _, label in photos])
    summary = metrics.summarize(labels, probabilities)
    predicted = probabilities.argmax(axis=1)
    summary["photos"] = [
        {
            "file": path.name,
            "true": CLASS_NAMES[label],
            "predicted": None if path in errors else CLASS_NAMES[int(p)],
            "confidence": None if path in errors else float(probs.max()),
            **({"error": errors[path]} if path in errors else {}),
        }
        for (path, label), p, probs in zip(photos, predicted, probabilities)
    ]
    # Counted from the answers, so a photo that gave an error is wrong (the confusion matrix shows what a black input got).
    right = np.array([r["predicted"] == r["true"] for r in summary["photos"]])
    present = sorted(set(labels.tolist()))
    summary["per_class_count"] = {CLASS_NAMES[i]: int((labels == i).sum()) for i in present}
    summary["per_class_accuracy"] = {CLASS_NAMES[i]: float(right[labels == i].mean()) for i in present}
    summary["correct"] = int(right.sum())
    summary["accuracy"] = float(right.mean())
    summary["half"] = half
    summary["megapixels"] = megapixels
    return summary
