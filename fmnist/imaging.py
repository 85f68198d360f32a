"""Any image (photo, drawing, 28×28 test image) → the 28×28 uint8 input the models expect.

Fashion-MNIST was made from product photos: trimmed to the item, the longest side scaled to 28 pixels,
centred, and inverted so the item is bright on black. `convert` repeats those steps on a user's image
and keeps each one for display. Files are opened through `open_image`, which refuses what could hurt
the server (huge or decompression-bomb images) before decoding anything.
"""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError
from scipy import ndimage

from fmnist.config import IMAGE_SIZE

MAX_FILE_BYTES = 10 * 1024 * 1024  # matches the app's upload cap
MAX_PIXELS = 50_000_000  # a 50 MP photo is fine; a 20000×20000 bomb is not
WORK_SIZE = 384  # longest side used for finding the item; enough detail, fast
MIN_PART = 0.15  # a separate blob belongs to the item if it has this share of the largest blob's area
DRAWING_FILL = 0.6  # brightness of what a drawn outline encloses, as a share of the ink's
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


def open_image(source) -> Image.Image:
    """Open a path, bytes or file object as a fully decoded PIL image, or raise ImageError.

    Size is checked from the header before decoding, so a few-KB decompression bomb costs nothing.
    Animated images give their first frame.
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
        raise UnreadableImageError("The file is empty.")
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
            image.load()
    except ImageError:
        raise
    except UnidentifiedImageError as exc:
        raise UnreadableImageError("This file is not an image Pillow can read (PNG, JPEG, GIF, WebP, BMP, TIFF…).") from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageTooLargeError(f"The image is over {MAX_PIXELS // 1_000_000} megapixels; it was refused before decoding.") from exc
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as exc:
        raise UnreadableImageError(f"The image is damaged or truncated and cannot be decoded ({exc}).") from exc
    return image


# --- conversion ------------------------------------------------------------------------------------


@dataclass
class Conversion:
    """The model input and how it was made: each step is (caption, uint8 array) for display."""

    image: np.ndarray
    steps: list[tuple[str, np.ndarray]] = field(default_factory=list)
    inverted: bool = False
    passthrough: bool = False


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
    """Run the whole pipeline, keeping every step; raises ImageError with a user-facing sentence."""
    image = open_image(source)
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
    square = Image.fromarray(fit_into_square(ink[top:bottom, left:right]))
    final = np.asarray(ImageOps.autocontrast(square))
    steps.append(("28×28 model input", final))
    return Conversion(image=final, steps=steps)


def fill_outlines(ink: np.ndarray, fill: float) -> np.ndarray:
    """Bright strokes on black with what they enclose filled at `fill` × 255; gaps a few % wide closed."""
    strokes = ink > 96
    if not strokes.any():
        return ink
    radius = max(1, round(max(ink.shape) * DRAWING_GAP / 2))
    disk = np.hypot(*np.mgrid[-radius : radius + 1, -radius : radius + 1]) <= radius
    closed = ndimage.binary_closing(np.pad(strokes, radius), disk)[radius:-radius, radius:-radius]
    inside = ndimage.binary_fill_holes(closed) & ~strokes
    return np.maximum(ink, inside * (255.0 * fill))
