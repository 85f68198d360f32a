"""Any image (photo, drawing, 28×28 test image) → the 28×28 uint8 input the models expect.

Fashion-MNIST was made from product photos: trimmed to the item, the longest side scaled to 28 pixels,
centred, and inverted so the item is bright on black. `convert` repeats those steps on a user's image
and keeps each one for display. A phone photo is not a product shot: the item is found by its colour
(GrabCut, `segment`), on any background, and the mask over the photo is one of the steps shown. Of a
pair of shoes lying apart, one is kept and turned to point left as the dataset's do (`one_of_pair`).
Files are opened through `open_image`, which refuses what could hurt the server (huge or
decompression-bomb images) before decoding anything.
"""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError
from scipy import ndimage

from fmnist.config import IMAGE_SIZE

MAX_FILE_BYTES = 10 * 1024 * 1024  # matches the app's upload cap
MAX_PIXELS = 50_000_000  # a 50 MP photo is fine; a 20000×20000 bomb is not
WORK_SIZE = 384  # longest side the grayscale path (transparent, 16-bit images) works at
MIN_PART = 0.15  # a separate blob belongs to the item if it has this share of the largest blob's area
PAIR_PART = 0.5  # two blobs, the smaller with this share of the larger's area, may be a pair (of shoes) …
PAIR_LIKENESS = 0.8  # … if their outlines, centred and turned alike, overlap this much (IoU), maybe one mirrored
LONG_AXIS = 1.3  # a kept shoe is turned to lie flat only if its long axis is this many times its short one
PHOTO_SIZE = 256  # longest side a photo is worked on at: ~9× the 28-pixel input, and fast
SEGMENT_SIZE = 96  # longest side GrabCut works at; the outline needs no more, and it stays fast
GRABCUT_ITERATIONS = 2  # 3 or 5 did no better on the shared photos; each costs ~7 ms
BACKGROUND_TOLERANCE = 12  # RGB distance within which a pixel has the background's colour
MIN_CONTRAST = 24  # RGB distance from the border's colour below which nothing stands out (a blank photo)
MIN_PHOTO_SIDE = 32  # smaller images (dataset images, icons) take the grayscale path
HIGH_PERCENTILE = 99.5  # the item's brightest shade, robust to a few specular pixels
BOX_LEVEL = 51  # the crop box holds the pixels brighter than 20% (faint edges would only shrink the item)
EDGE_PIXELS = 1  # the cut mask is widened by this many PHOTO_SIZE pixels to keep soft edges
DARK_BACKGROUND = 48  # a background this dark (near black) means the item is already bright on dark
HIGH_BIT_MODES = ("I;16", "I;16B", "I;16L", "I;16N", "I", "F")
_EXIF_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
DRAWING_FILL = 0.7  # brightness of what a drawn outline encloses, as a share of the ink's
DRAWING_MIRROR_MARGIN = 1.1  # a drawing is mirrored if its left half holds 10% more: a hand's wobble does not flip a T-shirt
DRAWING_GAP = 0.08  # pen-lift gaps up to this share of the canvas are closed before filling


class ImageError(ValueError):
    """An image we cannot turn into a model input; the message is one sentence for the user."""


class UnreadableImageError(ImageError):
    pass


class ImageTooLargeError(ImageError):
    pass


class NoItemFoundError(ImageError):
    pass


# --- opening ---------------------------------------------------------------------------------------


def open_image(source, longest: int | None = None) -> Image.Image:
    """Open a path, bytes or file object as a fully decoded PIL image, or raise ImageError.

    Size is checked from the header before decoding, so a few-KB decompression bomb costs nothing.
    Animated images give their first frame. With `longest`, a JPEG is decoded straight at the smallest
    of its 1/2, 1/4, 1/8 scales whose both sides still hold `longest` pixels (Pillow's `draft`): a
    phone's 12 MP photo decodes in a third of the time, and each pixel averages a block, not one sample.
    """
    if isinstance(source, Image.Image):
        return source
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise UnreadableImageError(f"{path} cannot be opened ({exc.strerror or exc}).") from exc
        if size > MAX_FILE_BYTES:
            raise ImageTooLargeError(f"The file is {size / 2**20:.1f} MB; the limit is {MAX_FILE_BYTES // 2**20} MB.")
        data = path.read_bytes()
    elif isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif hasattr(source, "getvalue"):  # in-memory files such as Streamlit's UploadedFile, on every rerun
        data = source.getvalue()
    else:  # any other file object
        data = source.read(MAX_FILE_BYTES + 1)
    if len(data) == 0:
        raise UnreadableImageError("Your file is empty: it holds no picture.")
    if len(data) > MAX_FILE_BYTES:
        raise ImageTooLargeError(f"The file is larger than {MAX_FILE_BYTES // 2**20} MB.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ImageTooLargeError(
                    f"The image is {width:,}×{height:,} pixels; the limit is {MAX_PIXELS // 1_000_000} megapixels."
                )
            image.seek(0)  # first frame of an animation
            if longest and image.format in ("JPEG", "MPO"):  # MPO: a phone's JPEG with extra frames (depth, preview)
                image.draft(image.mode, (longest, longest))
            image.load()
    except ImageError:
        raise
    except UnidentifiedImageError as exc:
        raise UnreadableImageError(
            "Your file is not an image we can open: use a PNG, JPEG, GIF, WebP, BMP or TIFF picture."
        ) from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageTooLargeError(
            f"Your picture is over {MAX_PIXELS // 1_000_000} megapixels, too large to open; try a smaller copy."
        ) from exc
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as exc:
        raise UnreadableImageError(
            "Your file looks damaged or truncated (cut short), so its picture cannot be read; try saving or sending it again."
        ) from exc
    return image


# --- conversion ------------------------------------------------------------------------------------


@dataclass
class Conversion:
    """The model input and how it was made: each step is (caption, uint8 array) for display."""

    image: np.ndarray
    steps: list[tuple[str, np.ndarray]] = field(default_factory=list)
    inverted: bool = False
    passthrough: bool = False
    mirrored: bool = False


def to_grayscale(image: Image.Image) -> np.ndarray:
    """Orientation, transparency and any pixel format (16-bit, CMYK, palette…) → float32 gray in 0..255."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        pixels = np.asarray(image, dtype=np.float32)
        top = 65535.0 if image.mode.startswith("I;16") or pixels.max() > 255 else 255.0
        return np.clip(pixels * (255.0 / top), 0, 255)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if has_alpha:
        rgba = image.convert("RGBA")
        alpha = np.asarray(rgba.getchannel("A"), dtype=np.float32) / 255.0
        gray = np.asarray(ImageOps.grayscale(rgba.convert("RGB")), dtype=np.float32)
        opaque = alpha > 0.5
        # Lay the visible item on the backdrop it contrasts with most: a bright item on black, a dark one on white.
        backdrop = 0.0 if opaque.any() and gray[opaque].mean() > 127 else 255.0
        return gray * alpha + backdrop * (1 - alpha)
    return np.asarray(ImageOps.grayscale(image.convert("RGB")), dtype=np.float32)


def _border(pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Values and coordinates of a frame a few pixels wide around the image."""
    h, w = pixels.shape
    k = max(1, min(h, w) // 25)
    mask = np.zeros_like(pixels, dtype=bool)
    mask[:k] = mask[-k:] = True
    mask[:, :k] = mask[:, -k:] = True
    ys, xs = np.nonzero(mask)
    return pixels[mask], ys, xs


def background_plane(pixels: np.ndarray) -> np.ndarray:
    """A plane a + b·x + c·y fitted to the border: the background, including a lighting gradient."""
    values, ys, xs = _border(pixels)
    h, w = pixels.shape
    design = np.stack([np.ones_like(xs, dtype=np.float32), xs / w, ys / h], axis=1)
    coeffs, *_ = np.linalg.lstsq(design, values, rcond=None)
    # A robust second pass ignores border pixels that belong to the item (or a shadow) touching the edge.
    residual = np.abs(values - design @ coeffs)
    keep = residual <= max(np.percentile(residual, 75) * 2, 4)
    coeffs, *_ = np.linalg.lstsq(design[keep], values[keep], rcond=None)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    return coeffs[0] + coeffs[1] * xx / w + coeffs[2] * yy / h


def is_dataset_form(pixels: np.ndarray) -> bool:
    """28×28 with a black border, as every Fashion-MNIST image is: nothing to convert."""
    return pixels.shape == (IMAGE_SIZE, IMAGE_SIZE) and np.median(_border(pixels)[0]) < 8


def _item_box(foreground: np.ndarray) -> tuple[int, int, int, int] | None:
    """Bounding box (top, left, bottom, right) of the item in a bright-on-black image.

    Specks, and small blobs away from the item (a table corner, a label, a marker), are ignored: only
    blobs with at least MIN_PART of the largest blob's area count as the item.
    """
    peak = np.percentile(foreground, 99.5)
    if peak < 24:  # nothing stands out from the background
        return None
    threshold = max(12.0, 0.2 * peak)
    mask = Image.fromarray(((foreground > threshold) * 255).astype(np.uint8))
    # Opening (erode then dilate) removes isolated noise pixels but keeps anything thicker than 3 px.
    mask = np.asarray(mask.filter(ImageFilter.MinFilter(3)).filter(ImageFilter.MaxFilter(3))) > 0
    if mask.sum() < 4:
        return None
    labels, _ = ndimage.label(mask, structure=np.ones((3, 3)))
    areas = np.bincount(labels.ravel())
    areas[0] = 0  # the background
    ys, xs = np.nonzero(np.isin(labels, np.flatnonzero(areas >= MIN_PART * areas.max())))
    return int(ys.min()), int(xs.min()), int(ys.max()) + 1, int(xs.max()) + 1


def fit_into_square(item: np.ndarray, size: int = IMAGE_SIZE) -> np.ndarray:
    """Scale so the longest side is `size`, keep the aspect, pad with black so the item is centred."""
    h, w = item.shape
    scale = size / max(h, w)
    new_w, new_h = max(1, round(w * scale)), max(1, round(h * scale))
    resized = Image.fromarray(np.clip(item, 0, 255).astype(np.uint8)).resize((new_w, new_h), Image.LANCZOS)
    canvas = Image.new("L", (size, size), 0)
    canvas.paste(resized, ((size - new_w) // 2, (size - new_h) // 2))
    return np.asarray(canvas)


def convert(source) -> Conversion:
    """Run the whole pipeline, keeping every step; raises ImageError with a user-facing sentence.

    Photos are segmented in colour (`segment`); transparent images, 16-bit scans and tiny images
    (dataset images among them) take the grayscale path, which lays them on the backdrop they need.
    """
    image = open_image(source, longest=2 * PHOTO_SIZE)
    if _has_alpha(image) or image.mode in HIGH_BIT_MODES or min(image.size) < MIN_PHOTO_SIDE:
        return _convert_grayscale(image)
    rgb = small_rgb(image)
    steps = [("Your photo", rgb)]
    mask = segment(rgb)
    steps.append(("The item found (the rest dimmed)", np.where(mask[..., None], rgb, rgb // 4)))
    shoe = one_of_pair(mask)
    if shoe is not None:
        steps.append(("One shoe of the pair kept", np.where(shoe[..., None], rgb, rgb // 4)))

    # Fashion-MNIST shows products shot on white, inverted: dark parts bright. A photo on a dark
    # background (or a bright drawing on black) is already bright on dark, so it is not inverted.
    gray = rgb.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    background = float(np.median(gray[~mask])) if (~mask).any() else 255.0
    inverted = background > DARK_BACKGROUND
    shade = 255 - gray if inverted else gray
    # Stretch the item's own range, whatever its colour; from the background's shade when that is
    # lower, so a dark item on white keeps its soft edges as the dataset has them.
    item = mask if shoe is None else shoe
    low, high = np.percentile(shade[item], [2, HIGH_PERCENTILE])
    low = min(low, 255 - background if inverted else background)
    # The mask, a little wider: the item's soft edge that the coarse cut left out comes back.
    edge = cv2.dilate(item.astype(np.uint8), np.ones((3, 3), np.uint8), iterations=EDGE_PIXELS)
    foreground = np.clip((shade - low) / max(high - low, 1.0), 0, 1) * 255 * edge
    steps.append(("Item bright on black" + (" (inverted)" if inverted else ""), foreground.astype(np.uint8)))
    if shoe is not None:
        foreground = lie_flat_pointing_left(foreground)
        steps.append(("Turned to lie flat, pointing left", foreground.astype(np.uint8)))

    rows, cols = np.nonzero(foreground > BOX_LEVEL)
    crop = foreground[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1] if len(rows) else foreground
    steps.append(("Cropped to the item", crop.astype(np.uint8)))
    final = np.asarray(ImageOps.autocontrast(Image.fromarray(fit_into_square(crop))))
    steps.append(("28×28 model input", final))
    return Conversion(image=final, steps=steps, inverted=inverted)


def _has_alpha(image: Image.Image) -> bool:
    """Whether any pixel is see-through; an opaque RGBA photo (a screenshot, some phones' PNGs) is a photo."""
    if "transparency" in image.info:
        return True
    return image.mode in ("RGBA", "LA", "PA") and image.getchannel("A").getextrema()[0] < 255


def small_rgb(image: Image.Image, size: int | None = None) -> np.ndarray:
    """Upright uint8 RGB with the longest side at most `size` (default PHOTO_SIZE).

    Shrinks first (a large photo sampled, an integer `reduce`, then a box filter), then applies the EXIF
    orientation and the colour conversion to the small image: ~1 ms for a 12 MP photo instead of ~100 ms the
    other way round.
    """
    size = size or PHOTO_SIZE
    orientation = image.getexif().get(0x0112, 1)
    if image.mode not in ("RGB", "L", "CMYK", "RGBA", "LA"):
        image = image.convert("RGB")
    if max(image.size) > 8 * size:  # a phone's 12 MP: every few pixels first (~0.5 ms; averaging all of them took ~15)
        scale = 4 * size / max(image.size)  # still ~16 samples averaged into each pixel below
        image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))), Image.NEAREST)
    factor = max(image.size) // (2 * size)
    if factor > 1:
        image = image.reduce(factor)
    image = image.convert("RGB")
    w, h = image.size
    if max(w, h) > size:
        scale = size / max(w, h)
        image = image.resize((max(1, round(w * scale)), max(1, round(h * scale))), Image.BOX)
    if orientation in _EXIF_TRANSPOSE:
        image = image.transpose(_EXIF_TRANSPOSE[orientation])
    return np.asarray(image)


def segment(rgb: np.ndarray) -> np.ndarray:
    """Boolean mask of the item in an RGB photo, at the photo's size; NoItemFoundError if nothing stands out.

    OpenCV's GrabCut learns colour models of the item and of the background (everything but a thin
    frame starts as "maybe item") and cuts between them, so a white sneaker on a white sheet or a grey
    sweater on a grey floor still differ in colour, and a patterned background is one more colour
    mode. It runs on a copy SEGMENT_SIZE pixels long: the outline is all that is needed, and it is fast.
    """
    h, w = rgb.shape[:2]
    scale = min(1.0, SEGMENT_SIZE / max(h, w))
    small = cv2.resize(rgb, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    # The border's k-means and GrabCut's colour models start from OpenCV's random numbers: seeded here,
    # the same photo gives the same cut whatever was converted before it.
    cv2.setRNGSeed(0)
    distance = _border_distance(small)
    if np.percentile(distance, 99.5) < MIN_CONTRAST:
        raise NoItemFoundError("No item found: the image looks blank (all one colour). Try a photo with the item on a plain background.")
    sh, sw = small.shape[:2]
    margin = max(1, round(min(sh, sw) * 0.02))
    mask = np.zeros((sh, sw), np.uint8)
    models = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    try:
        cv2.grabCut(small, mask, (margin, margin, sw - 2 * margin, sh - 2 * margin), *models, GRABCUT_ITERATIONS, cv2.GC_INIT_WITH_RECT)
    except cv2.error:  # a sliver too thin to cut (or one colour inside): the fallbacks below decide
        mask[:] = cv2.GC_BGD
    # GrabCut's smoothness keeps narrow gaps (between two shoes, under an arm) as item: a pixel the
    # colour of the background is background, unless the item encloses it (holes are filled back).
    cut = (mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD)
    item = _main_blobs(cut & (distance >= BACKGROUND_TOLERANCE))
    if item.sum() < 0.005 * item.size:  # the item itself has nearly the background's colour: trust the cut
        item = _main_blobs(cut)
    if item.sum() < 0.005 * item.size:  # the cut found nothing: whatever differs from the border
        item = _main_blobs(distance >= MIN_CONTRAST)
    if item.sum() < 0.005 * item.size:
        raise NoItemFoundError("No item found: nothing stands out from the background. Try a photo with the item on a plain background.")
    full = cv2.resize(item.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR) > 0.5
    return full if full.any() else cv2.resize(item.astype(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST) > 0


def _border_distance(rgb: np.ndarray) -> np.ndarray:
    """Each pixel's RGB distance to the nearest main colour of the border (up to 3: a pattern has several).

    A colour counts if it covers a quarter of the border, so an item cut by the frame's edge, which
    covers less, is not taken for background.
    """
    smooth = cv2.medianBlur(rgb, 3).astype(np.float32)
    k = max(1, min(smooth.shape[:2]) // 25)
    frame = np.concatenate([smooth[:k].reshape(-1, 3), smooth[-k:].reshape(-1, 3), smooth[:, :k].reshape(-1, 3), smooth[:, -k:].reshape(-1, 3)])
    clusters = min(3, len(frame))
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 10, 1.0)
    _, labels, centres = cv2.kmeans(frame, clusters, None, criteria, 1, cv2.KMEANS_PP_CENTERS)
    shares = np.bincount(labels.ravel(), minlength=clusters) / len(frame)
    centres = centres[shares >= 0.25] if (shares >= 0.25).any() else centres
    return np.sqrt(((smooth[..., None, :] - centres) ** 2).sum(-1)).min(-1)


def _main_blobs(mask: np.ndarray) -> np.ndarray:
    """The item's blobs, holes filled: specks and small blobs away from it go (MIN_PART)."""
    mask = ndimage.binary_fill_holes(ndimage.binary_opening(mask))
    labels, count = ndimage.label(mask, structure=np.ones((3, 3)))
    if count == 0:
        return mask
    areas = np.bincount(labels.ravel())
    areas[0] = 0
    return np.isin(labels, np.flatnonzero(areas >= MIN_PART * areas.max()))


# --- a pair of shoes -------------------------------------------------------------------------------


def one_of_pair(mask: np.ndarray) -> np.ndarray | None:
    """The larger of two like blobs in the item's mask (a pair of shoes, seen from above or the side),
    or None when the item is not a pair. Every Fashion-MNIST shoe is one shoe.

    Two blobs count as a pair when the smaller has PAIR_PART of the larger's area and their outlines,
    each centred and turned to lie along its long axis, overlap by PAIR_LIKENESS, as they are or one
    mirrored (a left and a right shoe): a trouser beside a boot is not a pair. Two shoes that touch
    or overlap (most photos of a pair) stay one item: cutting along the outline's notches also cut
    T-shirts, dresses and trousers down their middle, whose halves are as alike as two shoes.
    """
    parts = mask.astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(parts, connectivity=8)
    areas = stats[:, cv2.CC_STAT_AREA].copy()
    areas[0] = 0  # the background
    big = np.flatnonzero(areas >= MIN_PART * areas.max()) if count > 2 else []
    if len(big) != 2 or areas[big].min() < PAIR_PART * areas.max():
        return None
    larger, smaller = sorted(big, key=lambda label: -areas[label])
    kept = labels == larger
    if _likeness(kept, labels == smaller) < PAIR_LIKENESS:
        return None
    contours, _ = cv2.findContours(kept.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    filled = cv2.drawContours(np.zeros_like(parts), contours, -1, 1, thickness=cv2.FILLED)  # its holes too
    return (filled > 0) & mask


def _outline(part: np.ndarray, size: int) -> np.ndarray:
    """A blob's mask centred on a size×size grid, its long axis horizontal, at its own scale."""
    ys, xs = np.nonzero(part)
    centre = np.array([xs.mean(), ys.mean()])
    matrix = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), _long_axis_angle(xs, ys), 1.0)
    matrix[:, 2] += size / 2 - centre
    return cv2.warpAffine(part.astype(np.uint8), matrix, (size, size), flags=cv2.INTER_NEAREST) > 0


def _likeness(first: np.ndarray, second: np.ndarray) -> float:
    """How alike two blobs' outlines are (IoU), whatever their place and turn, not their size (the
    two shoes of a pair are one size); one may be the other's mirror image."""
    first, second = _cropped(first), _cropped(second)
    size = 2 * int(np.ceil(max(np.hypot(*first.shape), np.hypot(*second.shape))))  # room for any turn about the centroid
    a, b = _outline(first, size), _outline(second, size)
    iou = 0.0
    for candidate in (b, b[:, ::-1], b[::-1], b[::-1, ::-1]):  # the long axis's two ends and two sides
        iou = max(iou, (a & candidate).sum() / max((a | candidate).sum(), 1))
    return float(iou)


def _cropped(image: np.ndarray) -> np.ndarray:
    """The image cut to the bounding box of its non-zero pixels."""
    x, y, w, h = cv2.boundingRect((image > 0).astype(np.uint8))
    return image[y : y + h, x : x + w]


def _long_axis_angle(xs: np.ndarray, ys: np.ndarray) -> float:
    """The angle in degrees (OpenCV's: counter-clockwise in the image) of a blob's long axis."""
    _, vectors = np.linalg.eigh(np.cov(np.stack([xs, ys]).astype(np.float64)))
    long = vectors[:, 1]
    return float(np.degrees(np.arctan2(long[1], long[0])))


def lie_flat_pointing_left(foreground: np.ndarray) -> np.ndarray:
    """A shoe (bright on black) turned so its longest side is horizontal and its heavier end is on the right.

    Fashion-MNIST's shoes are side views pointing left: the heel and the opening, taller than the
    toe, are on the right (in 92–100% of its sandals, sneakers and boots the right half holds more).
    A shoe seen from above is widest at the ball of the foot; its heavier end goes right as well, so
    its outline reads like a side view. The turn is the smallest rectangle's around the shoe (a side
    view's sole lies flat); a shoe about as long as it is wide (LONG_AXIS) is not turned, only flipped.
    """
    if np.count_nonzero(foreground) < 3:
        return foreground
    foreground = _cropped(foreground)
    points = cv2.findNonZero((foreground > 0).astype(np.uint8))
    rectangle = cv2.minAreaRect(points)
    corners = cv2.boxPoints(rectangle)
    sides = [corners[1] - corners[0], corners[2] - corners[1]]
    long, short = sorted(sides, key=lambda v: -float(np.hypot(*v)))
    angle = float(np.degrees(np.arctan2(long[1], long[0])))
    angle = (angle + 90) % 180 - 90  # the long side's direction, whichever way it was walked
    centre = rectangle[0]
    turned = foreground.astype(np.float32)
    if np.hypot(*long) >= LONG_AXIS * max(float(np.hypot(*short)), 1.0) and abs(angle) > 1:
        h, w = foreground.shape
        side = int(np.ceil(np.hypot(h, w)))
        matrix = cv2.getRotationMatrix2D(centre, angle, 1.0)
        matrix[:, 2] += (side / 2 - centre[0], side / 2 - centre[1])
        turned = cv2.warpAffine(turned, matrix, (side, side), flags=cv2.INTER_LINEAR)
    return heavier_end_right(turned)[0]


def heavier_end_right(image: np.ndarray, margin: float = 1.0) -> tuple[np.ndarray, bool]:
    """The image mirrored if the left half of what it shows holds more than `margin` times the right half,
    and whether it was.

    Fashion-MNIST's shoes point left: the heel and the opening, taller than the toe, are on the right
    (in 92–100% of its sandals, sneakers and boots the right half holds more). A shoe pointing right,
    as many people draw one, is read as a shoe only once mirrored; the classic MLP, which never saw
    a mirrored image, reads most of them as something else. Clothes are about symmetric: mirroring
    them changes little.
    """
    columns = image.sum(axis=0, dtype=np.float64)
    filled = np.flatnonzero(columns > 0)
    if len(filled) == 0:
        return image, False
    middle = (filled.min() + filled.max() + 1) / 2
    mirrored = bool(columns[: int(middle)].sum() > margin * columns[int(np.ceil(middle)) :].sum())
    return np.ascontiguousarray(image[:, ::-1] if mirrored else image), mirrored


def _convert_grayscale(image: Image.Image) -> Conversion:
    """The pipeline for transparent, 16-bit and tiny images: the background is a plane fitted to the border."""
    gray = to_grayscale(image)
    if is_dataset_form(gray):
        pixels = gray.astype(np.uint8)
        return Conversion(image=pixels, steps=[("Already a 28×28 dataset image", pixels)], passthrough=True)
    h, w = gray.shape
    if max(h, w) > WORK_SIZE:  # work at a moderate size: fast, and small noise averages out
        scale = WORK_SIZE / max(h, w)
        small = Image.fromarray(gray.astype(np.uint8)).resize((max(1, round(w * scale)), max(1, round(h * scale))), Image.BOX)
        gray = np.asarray(small, dtype=np.float32)
    steps = [("Your image, in grayscale", gray.astype(np.uint8))]

    # The item is whatever differs from the background; make it bright on black like the dataset.
    difference = gray - background_plane(gray)
    smooth = np.asarray(Image.fromarray(np.clip(np.abs(difference), 0, 255).astype(np.uint8)).filter(ImageFilter.MedianFilter(3)))
    signed = np.where(smooth > 12, difference, 0)
    inverted = bool(signed.sum() < 0)  # more darker-than-background mass than brighter: a dark item
    foreground = np.clip(-difference if inverted else difference, 0, 255)
    foreground = np.asarray(Image.fromarray(foreground.astype(np.uint8)).filter(ImageFilter.MedianFilter(3)), dtype=np.float32)
    steps.append(("Item bright on black" + (" (inverted)" if inverted else ""), foreground.astype(np.uint8)))

    box = _item_box(foreground)
    if box is None:
        raise NoItemFoundError("No item found: the image looks blank (all one colour). Try a photo with the item on a plain background.")
    top, left, bottom, right = box
    crop = foreground[top:bottom, left:right]
    steps.append(("Cropped to the item", crop.astype(np.uint8)))

    square = Image.fromarray(fit_into_square(crop))
    final = np.asarray(ImageOps.autocontrast(square))
    steps.append(("28×28 model input", final))
    return Conversion(image=final, steps=steps, inverted=inverted)


def to_model_input(source) -> np.ndarray:
    """Any image (PIL image, path, bytes, file object) → uint8 (28, 28), item bright and centred on black."""
    return convert(source).image


def drawing_to_input(canvas: np.ndarray | None, fill: float = DRAWING_FILL) -> Conversion | None:
    """The drawing canvas's RGBA array (H, W, 4) → Conversion, or None while nothing is drawn.

    The canvas is known to be black, so the ink is simply how bright and opaque each pixel is: no
    background is guessed from the border (a drawing touching the edge would fool that guess). People
    draw outlines; the dataset shows filled items. So small gaps in the strokes are closed and what
    the strokes enclose is filled at `fill` of the ink's brightness, keeping the strokes brighter.
    People draw shoes facing either way; the dataset's face left, so the drawing is mirrored when its
    left half holds more (`heavier_end_right`).
    """
    if canvas is None:
        return None
    pixels = np.asarray(canvas)
    if pixels.dtype != np.uint8:
        pixels = np.clip(pixels, 0, 255).astype(np.uint8)
    if pixels.ndim == 2:
        ink = pixels.astype(np.float32)
    else:
        ink = np.asarray(ImageOps.grayscale(Image.fromarray(pixels[..., :3])), dtype=np.float32)
        if pixels.shape[-1] == 4:
            ink = ink * (pixels[..., 3] / 255.0)  # transparent means the black canvas
    steps = [("Your drawing", ink.astype(np.uint8))]
    if fill > 0:
        ink = fill_outlines(ink, fill)
        steps.append(("Outlines filled in", ink.astype(np.uint8)))
    box = _item_box(ink)
    if box is None:  # an empty canvas, or specks only
        return None
    top, left, bottom, right = box
    item, mirrored = heavier_end_right(ink[top:bottom, left:right], DRAWING_MIRROR_MARGIN)
    if mirrored:
        steps.append(("Mirrored: heavier end on the right, as the dataset's shoes", item.astype(np.uint8)))
    square = Image.fromarray(fit_into_square(item))
    final = np.asarray(ImageOps.autocontrast(square))
    steps.append(("28×28 model input", final))
    return Conversion(image=final, steps=steps, mirrored=mirrored)


def fill_outlines(ink: np.ndarray, fill: float) -> np.ndarray:
    """Bright strokes on black with what they enclose filled at `fill` × 255; gaps a few % wide closed.

    The gaps between the strokes of a scribbled-in shape are enclosed too, and filled: the dataset's
    items are solid, not striped.
    """
    strokes = ink > 96
    if not strokes.any():
        return ink
    radius = max(1, round(max(ink.shape) * DRAWING_GAP / 2))
    disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    closed = cv2.morphologyEx(np.pad(strokes.astype(np.uint8), radius), cv2.MORPH_CLOSE, disk)[radius:-radius, radius:-radius]
    inside = _holes(closed > 0) | _holes(strokes)  # enclosed once pen-lift gaps are bridged, or by the strokes themselves
    return np.maximum(ink, inside * (255.0 * fill))


def _holes(mask: np.ndarray) -> np.ndarray:
    """What `mask` encloses: the pixels outside it that the border cannot reach (4-connected)."""
    reach = np.pad(mask, 1).astype(np.uint8)
    cv2.floodFill(reach, None, (0, 0), 1)
    return reach[1:-1, 1:-1] == 0
