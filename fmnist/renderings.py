"""Photo-like and drawn renderings of test images: a realistic, reproducible check of the pipeline.

A "photo" is what a phone gives: the item dark on a light, unevenly lit and tinted background,
off-centre, smaller than the frame, rotated a little, noisy and JPEG-compressed. A "drawing" is what a
learner makes on the canvas: a bright, flat silhouette with rough brush edges on black.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageFilter

from fmnist.config import IMAGE_SIZE


def render_photo(item: np.ndarray, rng: np.random.Generator, size: int = 240) -> Image.Image:
    """A dataset image as a JPEG phone photo (RGB PIL image, decoded again so the artefacts are real)."""
    scale = rng.uniform(0.45, 0.85) * size / IMAGE_SIZE
    side = int(IMAGE_SIZE * scale)
    big = Image.fromarray(item).resize((side, side), Image.BICUBIC).rotate(rng.uniform(-6, 6), Image.BICUBIC, expand=True)
    alpha = np.asarray(big, dtype=np.float32) / 255.0  # how much item covers each pixel

    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    paper = rng.uniform(185, 245) + rng.uniform(-35, 35) * xx + rng.uniform(-35, 35) * yy  # uneven light
    tint = rng.uniform(0.85, 1.0, size=3)
    background = paper[..., None] * tint
    cloth = rng.uniform(0, 70, size=3)  # a dark, coloured item

    bh, bw = alpha.shape
    top = int(rng.integers(0, max(1, size - bh)))
    left = int(rng.integers(0, max(1, size - bw)))
    cover = np.zeros((size, size), np.float32)
    cover[top : top + bh, left : left + bw] = alpha[: size - top, : size - left]
    photo = background * (1 - cover[..., None]) + cloth * cover[..., None]
    photo += rng.normal(0, rng.uniform(2, 8), size=photo.shape)
    image = Image.fromarray(np.clip(photo, 0, 255).astype(np.uint8))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=int(rng.integers(55, 90)))
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def render_drawing(item: np.ndarray, rng: np.random.Generator, size: int = 280) -> Image.Image:
    """A dataset image as a canvas drawing: a flat bright silhouette with a rough edge, on black."""
    side = int(size * rng.uniform(0.6, 0.9))
    big = np.asarray(Image.fromarray(item).resize((side, side), Image.BILINEAR), dtype=np.float32)
    silhouette = Image.fromarray(((big > 40) * 255).astype(np.uint8)).filter(ImageFilter.MaxFilter(5))
    canvas = Image.new("L", (size, size), 0)
    canvas.paste(silhouette, (int(rng.integers(0, size - side + 1)), int(rng.integers(0, size - side + 1))))
    return canvas.convert("RGB")


def make_set(images: np.ndarray, kind: str, count: int, seed: int = 0) -> list[Image.Image]:
    """The first `count` test images rendered as 'photo' or 'drawing', reproducibly."""
    render = {"photo": render_photo, "drawing": render_drawing}[kind]
    rng = np.random.default_rng(seed)
    return [render(item, rng) for item in images[:count]]


def rendering_accuracy(classifier, images: np.ndarray, labels: np.ndarray, count: int, seed: int = 0) -> dict[str, float]:
    """Accuracy on the first `count` test images: clean, as photos and as drawings, each through the pipeline."""
    from fmnist.imaging import to_model_input

    labels = labels[:count]
    result = {"clean": float((classifier.predict(images[:count]).argmax(1) == labels).mean())}
    for kind in ("photo", "drawing"):
        inputs = np.stack([to_model_input(picture) for picture in make_set(images, kind, count, seed)])
        result[kind] = float((classifier.predict(inputs).argmax(1) == labels).mean())
    return result
