"""Photo-like and drawn renderings of test images: a realistic, reproducible check of the pipeline.

A "photo" is what a phone gives: the item dark on a light, unevenly lit and tinted background,
off-centre, smaller than the frame, rotated a little, noisy and JPEG-compressed. A "drawing" is what a
learner makes on the canvas: a bright, flat silhouette with rough brush edges on black.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageFilter, ImageOps
from scipy import ndimage

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


# --- drawings as people draw them ------------------------------------------------------------------

HAND_STYLES = ("outline", "scribble")


def _item_outlines(item: np.ndarray, side: int) -> tuple[list[np.ndarray], np.ndarray]:
    """The item's outlines as (x, y) polylines at `side` pixels, and its filled mask at that size."""
    from contourpy import contour_generator

    big = np.asarray(Image.fromarray(item).resize((side, side), Image.BILINEAR), dtype=np.float32)
    big = ndimage.gaussian_filter(big, side / 56)  # a hand follows the shape, not every notch
    mask = ndimage.binary_fill_holes(big > 40)
    padded = np.pad(mask, 1).astype(np.float32)  # so an item that fills its square still has an outline there
    lines = contour_generator(z=padded).lines(0.5)
    return [line - 1 for line in lines if len(line) > 8], mask


def _wobble(points: np.ndarray, rng: np.random.Generator, amount: float) -> np.ndarray:
    """A shaky hand: smooth random drift of each point, a few pixels at most."""
    if len(points) < 3:
        return points
    drift = ndimage.gaussian_filter1d(rng.normal(0, 1, size=points.shape), sigma=max(2.0, len(points) / 12), axis=0, mode="wrap")
    drift /= np.abs(drift).max() + 1e-6
    return points + drift * amount


def _resample(line: np.ndarray, step: float) -> np.ndarray:
    """Points every `step` pixels along a polyline, as a pointer reports them."""
    lengths = np.r_[0, np.cumsum(np.hypot(*np.diff(line, axis=0).T))]
    if lengths[-1] < step:
        return line
    at = np.arange(0, lengths[-1], step)
    return np.stack([np.interp(at, lengths, line[:, 0]), np.interp(at, lengths, line[:, 1])], axis=1)


def _pen_lifts(points: np.ndarray, rng: np.random.Generator) -> list[np.ndarray]:
    """Split one closed outline into strokes with small gaps where the pen was lifted (0 to 3 lifts)."""
    lifts = int(rng.integers(0, 4))
    if lifts == 0 or len(points) < 12:
        return [points]
    start = int(rng.integers(0, len(points)))
    points = np.roll(points, -start, axis=0)  # the hand starts anywhere on the outline
    cuts = np.sort(rng.choice(np.arange(4, len(points) - 4), size=min(lifts, len(points) - 8), replace=False))
    strokes, begin = [], 0
    for cut in cuts:
        gap = max(1, int(rng.uniform(1, 5)))  # 4-20 px of paper left blank, at 4 px a point
        strokes.append(points[begin:cut])
        begin = cut + gap
    strokes.append(points[begin:])
    return [s for s in strokes if len(s) > 1]


def _scribble(mask: np.ndarray, rng: np.random.Generator, brush: float) -> np.ndarray:
    """Back-and-forth strokes across a filled shape at a random angle, as one zigzag path (x, y)."""
    angle = rng.uniform(0, np.pi)
    direction, across = np.array([np.cos(angle), np.sin(angle)]), np.array([-np.sin(angle), np.cos(angle)])
    ys, xs = np.nonzero(mask)
    points = np.stack([xs, ys], axis=1).astype(np.float32)
    along, offset = points @ direction, points @ across
    spacing = brush * rng.uniform(0.8, 1.8)
    path = []
    for k, level in enumerate(np.arange(offset.min() + spacing / 2, offset.max(), spacing)):
        row = np.abs(offset - level) < 0.75
        if not row.any():
            continue
        lo, hi = along[row].min(), along[row].max()
        ends = (lo, hi) if k % 2 == 0 else (hi, lo)
        path += [direction * a + across * level for a in ends]
    return np.array(path, dtype=np.float32).reshape(-1, 2)


def render_hand_drawing(item: np.ndarray, rng: np.random.Generator, style: str = "outline", size: int = 280) -> Image.Image:
    """A dataset image drawn as people draw on the canvas: the outline traced with a wobbly hand.

    An 8-24 px brush, the pen lifted a few times, any size and place (touching the edges too). The
    "scribble" style also fills the shape with back-and-forth strokes, as people colour a shape in.
    A smaller `size` draws the same at that scale (cheaper, for training data).
    """
    side = int(size * rng.uniform(0.45, 1.15))  # the item's bounding square; its box may still fit
    lines, mask = _item_outlines(item, side)
    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        return Image.new("RGB", (size, size))
    box_w, box_h = xs.max() - xs.min() + 1, ys.max() - ys.min() + 1
    if max(box_w, box_h) > size:  # shrink a drawing that would not fit the square
        side = int(side * (size - 4) / max(box_w, box_h))
        lines, mask = _item_outlines(item, side)
        ys, xs = np.nonzero(mask)
        box_w, box_h = xs.max() - xs.min() + 1, ys.max() - ys.min() + 1
    # Anywhere in the square; a third of drawings touch an edge.
    dx = rng.integers(0, max(1, size - box_w + 1)) - xs.min()
    dy = rng.integers(0, max(1, size - box_h + 1)) - ys.min()
    if rng.uniform() < 0.33:
        dx = (-xs.min()) if rng.uniform() < 0.5 else size - 1 - xs.max()
    shift = np.array([dx, dy], dtype=np.float32)
    px = size / 280  # brush, wobble and gaps are sized for the 280-px canvas
    brush = float(rng.uniform(8, 24)) * px
    step = 4.0 * px
    wobble = rng.uniform(2, 8) * px

    path = np.zeros((size, size), bool)  # where the brush's centre passed

    def stroke(points: np.ndarray) -> None:
        dense = _resample(points + shift, 1.0).round().astype(int)
        inside = (dense >= 0).all(1) & (dense < size).all(1)
        path[dense[inside, 1], dense[inside, 0]] = True

    for line in lines:
        points = _wobble(_resample(line, step), rng, wobble)
        for piece in _pen_lifts(points, rng):
            stroke(piece)
    if style == "scribble":
        zigzag = _scribble(mask, rng, brush)
        if len(zigzag) > 1:
            stroke(_wobble(_resample(zigzag, step), rng, wobble))
    ink = ndimage.distance_transform_edt(~path) <= brush / 2  # a round brush along the path
    return Image.fromarray((ink * 255).astype(np.uint8)).convert("RGB")


def make_hand_drawings(images: np.ndarray, style: str, count: int, seed: int = 0) -> list[Image.Image]:
    """The first `count` images drawn by hand in one style, reproducibly."""
    rng = np.random.default_rng(seed)
    return [render_hand_drawing(item, rng, style) for item in images[:count]]


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


def as_canvas(drawing: Image.Image) -> np.ndarray:
    """A rendered drawing as the Draw page's canvas returns it: RGBA (H, W, 4), black and opaque behind the ink."""
    return np.asarray(drawing.convert("RGBA"))


def hand_drawn_input(item: np.ndarray, rng: np.random.Generator, style: str, size: int = 280, mirrored: bool = False) -> np.ndarray | None:
    """One image drawn by hand in `style` (facing the other way if `mirrored`) and put through the Draw
    page's own conversion: the model's 28×28 input, or None when the conversion finds nothing drawn.
    The evaluation and the drawing models' training data both come from here, so they see drawings
    the same way."""
    from fmnist.imaging import drawing_to_input

    drawing = render_hand_drawing(item, rng, style, size)
    conversion = drawing_to_input(as_canvas(ImageOps.mirror(drawing) if mirrored else drawing))
    return None if conversion is None else conversion.image


def faces_the_other_way(position: int) -> bool:
    """Every second drawing faces right: people draw a shoe pointing either way, the dataset's all point left."""
    return position % 2 == 1


def hand_drawing_inputs(images: np.ndarray, style: str, count: int, seed: int = 0) -> np.ndarray:
    """The first `count` images drawn by hand in `style`, every second one facing the other way, each
    through the Draw page's own conversion."""
    rng = np.random.default_rng(seed)
    blank = np.zeros((IMAGE_SIZE, IMAGE_SIZE), np.uint8)
    inputs = [hand_drawn_input(item, rng, style, mirrored=faces_the_other_way(i)) for i, item in enumerate(images[:count])]
    return np.stack([blank if image is None else image for image in inputs])


def hand_drawing_accuracy(classifiers: dict, images: np.ndarray, labels: np.ndarray, count: int, seed: int = 0) -> dict:
    """{model: {style: {"accuracy": float, "per_class": [10 floats]}}} on hand drawings of the first `count` images."""
    from fmnist import metrics

    labels = labels[:count]
    result: dict = {name: {} for name in classifiers}
    for style in HAND_STYLES:
        inputs = hand_drawing_inputs(images, style, count, seed)
        for name, classifier in classifiers.items():
            predicted = classifier.predict(inputs)
            summary = metrics.summarize(labels, predicted)
            result[name][style] = {"accuracy": summary["accuracy"], "per_class": list(summary["per_class_accuracy"].values())}
    return result
