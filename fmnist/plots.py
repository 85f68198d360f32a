"""Figures and small pictures for the app and the CLI.

Matplotlib runs on the Agg backend and every figure is rendered to PNG bytes and closed at once, so a
long-running server never accumulates figures. What every view draws anew (tiles, the detail view's bar
chart and heatmap) is drawn with NumPy and PIL instead: milliseconds where a figure costs ~100 ms.
Palettes carry the right/wrong colours: the classic green/red, or blue/orange that deuteranopes can tell
apart.
"""

from __future__ import annotations

import base64
import functools
import io
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image, ImageDraw, ImageFont  # noqa: E402

from fmnist.config import CLASS_NAMES, NUM_CLASSES  # noqa: E402


@dataclass(frozen=True)
class Palette:
    """Right/wrong caption colours (Streamlit markdown names) and bar colours (hex) for charts."""

    name: str
    right_md: str
    wrong_md: str
    predicted: str  # the predicted bar, as in the classic walkthrough's red
    true: str  # the true bar, the classic blue; it wins when the prediction is right
    neutral: str = "#b0b4b9"


CLASSIC = Palette("Classic (green / red)", right_md="green", wrong_md="red", predicted="#d32f2f", true="#1f77b4")
COLOR_BLIND_SAFE = Palette("Colour-blind safe (blue / orange)", right_md="blue", wrong_md="orange", predicted="#e07b00", true="#1f5fbf")
PALETTES = {"classic": CLASSIC, "safe": COLOR_BLIND_SAFE}


def figure_png(fig) -> bytes:
    """Render a figure to PNG bytes and close it."""
    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format="png", dpi=fig.dpi, bbox_inches="tight")
    finally:
        plt.close(fig)
    return buffer.getvalue()


def _hex_rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def bar_colours(probabilities: np.ndarray, true_label: int | None, palette: Palette) -> list[str]:
    """The classic walkthrough's bars: grey, the predicted bar red, the true bar blue.

    The true bar is coloured last and wins, so a right answer shows one blue bar and a wrong answer
    both colours. With no known label (a drawing, a photo) the answer is simply blue.
    """
    colours = [palette.neutral] * NUM_CLASSES
    colours[int(np.argmax(probabilities))] = palette.predicted if true_label is not None else palette.true
    if true_label is not None:
        colours[int(true_label)] = palette.true
    return colours


TILE_BAR_INSET = 14  # the bars keep 1/14 of the tile's width clear at each side, more than the corners' radius


def tile_picture(image: np.ndarray, probabilities: np.ndarray, true_label: int | None, palette: Palette, scale: int = 4) -> Image.Image:
    """A grid tile drawn with NumPy: the item enlarged and its 10-bar chart beneath, no matplotlib needed.

    Drawing tiles directly keeps a page of 30 tiles well under the time of one matplotlib figure.
    """
    side = image.shape[0] * scale
    bar_height = side // 2
    picture = np.full((side + 4 + bar_height, side, 3), 255, np.uint8)
    picture[:side] = np.repeat(np.repeat(image, scale, 0), scale, 1)[..., None]
    colours = bar_colours(probabilities, true_label, palette)
    inset = side // TILE_BAR_INSET  # Streamlit rounds an image's corners: full-width bars lost their outer edges
    slot = (side - 2 * inset) / NUM_CLASSES
    for i, (p, colour) in enumerate(zip(probabilities, colours)):
        height = int(round(float(p) * bar_height))
        left, right = int(inset + i * slot + 1), int(inset + (i + 1) * slot - 1)
        picture[side + 4 + bar_height - max(height, 1) : side + 4 + bar_height, left:right] = _hex_rgb(colour)
    return Image.fromarray(picture)


def describe_tile(probabilities: np.ndarray, true_label: int) -> str:
    """The tile in words (its alt text), what a sighted user reads off it: "Ankle boot, predicted Ankle boot 99%, right"."""
    predicted = int(np.argmax(probabilities))
    verdict = "right" if predicted == int(true_label) else "wrong"
    return f"{CLASS_NAMES[int(true_label)]}, predicted {CLASS_NAMES[predicted]} {probabilities[predicted]:.0%}, {verdict}"


def qr_code(text: str) -> bytes:
    """A QR code of `text` as PNG bytes, black on white with the standard quiet zone."""
    import qrcode  # only the Share control needs it

    # A fixed mask: choosing the best of eight is most of qrcode's ~14 ms, and any mask scans.
    code = qrcode.QRCode(border=4, mask_pattern=2)
    code.add_data(text)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()


CHART_FONT_PX = 20  # class names in the detail chart: >= 14 px even when a 1280x720 column shrinks the picture
_INK = (49, 51, 63)  # Streamlit's text colour


@functools.lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont:
    """Matplotlib's own DejaVu Sans, drawn by PIL: the same type as the figures, without a figure."""
    return ImageFont.truetype(str(Path(matplotlib.get_data_path()) / "fonts/ttf/DejaVuSans.ttf"), size)


def data_uri(picture: bytes | Image.Image) -> str:
    """A small picture (PNG bytes, or a PIL image made PNG) as a `data:` URI for `st.image`.

    It travels inside the page's message: no media file, no HTTP request of its own, and Streamlit does
    not open and re-encode it (given bytes or an image, it decodes them, checks the width and may make
    a JPEG: ~15% of an Inside view's server time, and a media request per picture)."""
    png = picture if isinstance(picture, bytes) else png_bytes(picture)
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def png_bytes(picture: Image.Image) -> bytes:
    """PNG bytes, fast (compress level 1): these pictures are small and drawn per request."""
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


_ROW, CHART_WIDTH = 30, 506


@functools.lru_cache(maxsize=1)
def _chart_frame() -> tuple[Image.Image, int, int]:
    """What every probability chart shares, drawn once: class names, axes, ticks; and where the bars go."""
    font, small = _font(CHART_FONT_PX), _font(CHART_FONT_PX - 3)
    left = 12 + max(int(font.getlength(name)) for name in CLASS_NAMES)  # the bars start after the longest name
    span = CHART_WIDTH - left - 56  # room for the percentage after a full bar
    bottom = 6 + NUM_CLASSES * _ROW
    frame = Image.new("RGB", (CHART_WIDTH, bottom + 52), "white")
    draw = ImageDraw.Draw(frame)
    for i, name in enumerate(CLASS_NAMES):
        draw.text((left - 8, 6 + i * _ROW + _ROW // 2), name, fill=_INK, font=font, anchor="rm")
    draw.line((left, 6, left, bottom), fill=_INK)
    draw.line((left, bottom, left + span, bottom), fill=_INK)
    for tick in (0, 0.5, 1):
        x = left + int(tick * span)
        draw.line((x, bottom, x, bottom + 5), fill=_INK)
        draw.text((x, bottom + 7), f"{tick:g}", fill=_INK, font=small, anchor="mt")
    draw.text((left + span // 2, bottom + 30), "probability", fill=_INK, font=small, anchor="mt")
    return frame, left, span


def probability_chart(probabilities: np.ndarray, true_label: int | None, palette: Palette) -> bytes:
    """Horizontal bars with class names, for the detail view, Draw and Photo pages, as PNG bytes.

    Drawn with PIL on a frame drawn once (~2 ms) rather than with matplotlib (~200 ms of server time for
    each new image). Narrow and with large type (`CHART_FONT_PX`), so the class names stay >= 14 px when
    the page shrinks the picture into a column at 1280x720.
    """
    frame, left, span = _chart_frame()
    picture = frame.copy()
    draw = ImageDraw.Draw(picture)
    for i, (p, colour) in enumerate(zip(probabilities, bar_colours(probabilities, true_label, palette))):
        middle = 6 + i * _ROW + _ROW // 2
        end = left + max(int(round(float(p) * span)), 1)
        draw.rectangle((left + 1, middle - 10, end, middle + 10), fill=colour)
        if p >= 0.01:
            draw.text((end + 5, middle), f"{p:.0%}", fill=_INK, font=_font(CHART_FONT_PX - 3), anchor="lm")
    return png_bytes(picture)


def describe_chart(probabilities: np.ndarray, true_label: int | None) -> str:
    """The bar chart in words (its alt text): the classes the model gave at least 1%, most likely first."""
    shown = [i for i in np.argsort(probabilities)[::-1] if probabilities[i] >= 0.01]
    bars = ", ".join(f"{CLASS_NAMES[i]} {probabilities[i]:.0%}" for i in shown)
    truth = "" if true_label is None else f" The true class is {CLASS_NAMES[int(true_label)]}."
    return f"Probability of each of the 10 classes: {bars}; every other class under 1%.{truth}"


def confusion_matrix_chart(matrix: np.ndarray) -> bytes:
    fig, ax = plt.subplots(figsize=(7.5, 6.5), dpi=100)
    shown = ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(NUM_CLASSES), CLASS_NAMES, rotation=45, ha="right")
    ax.set_yticks(range(NUM_CLASSES), CLASS_NAMES)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    threshold = matrix.max() / 2
    for (r, c), value in np.ndenumerate(matrix):
        ax.text(c, r, str(value), ha="center", va="center", fontsize=8, color="white" if value > threshold else "black")
    fig.colorbar(shown, ax=ax, fraction=0.046)
    return figure_png(fig)


def training_curves(history: dict[str, list[float]], width: float = 10.0) -> bytes:
    """Train vs test loss and accuracy per epoch: where the two part, the model overfits."""
    fig, (loss_ax, acc_ax) = plt.subplots(1, 2, figsize=(width, 3.2), dpi=100)
    epochs = np.arange(1, len(history.get("train_loss", [])) + 1)
    for ax, metric in ((loss_ax, "loss"), (acc_ax, "accuracy")):
        ax.plot(epochs, history.get(f"train_{metric}", []), "o-", label="train", color="#1f77b4")
        ax.plot(epochs[: len(history.get(f"test_{metric}", []))], history.get(f"test_{metric}", []), "o-", label="test", color="#ff7f0e")
        ax.set_xlabel("epoch")
        ax.set_title(metric)
        ax.grid(alpha=0.3)
        ax.legend()
    return figure_png(fig)


HEATMAP_COLOURS = "inferno"


def heatmap_overlay(image: np.ndarray, heatmap: np.ndarray, scale: int = 8) -> Image.Image:
    """The 28×28 input in gray with the heatmap in warm colours on top, enlarged for display.

    Where the heat is strong its colour covers the item almost fully, so the colour key
    (`heatmap_with_key`) reads true; where there is none the item shows in gray.
    """
    heat = np.clip(heatmap / (heatmap.max() or 1.0), 0, 1)
    colours = plt.get_cmap(HEATMAP_COLOURS)(heat)[..., :3]
    gray = (image.astype(np.float32) / 255.0)[..., None]
    cover = 0.9 * np.sqrt(heat)[..., None]
    blended = (1 - cover) * 0.6 * gray + cover * colours
    picture = (np.clip(blended, 0, 1) * 255).astype(np.uint8)
    return Image.fromarray(picture).resize((image.shape[1] * scale, image.shape[0] * scale), Image.NEAREST)


def heatmap_with_key(image: np.ndarray, heatmap: np.ndarray, scale: int = 9) -> bytes:
    """The heatmap overlay with a colour key beneath: from no effect (dark) to the strongest (pale yellow).

    Drawn with NumPy and PIL, a few ms where a matplotlib figure with a colour bar took ~100 ms.
    """
    overlay = heatmap_overlay(image, heatmap, scale)
    width = overlay.width
    ramp = plt.get_cmap(HEATMAP_COLOURS)(np.linspace(0, 1, width))[:, :3]
    font = _font(16)
    picture = Image.new("RGB", (width, overlay.height + 84), "white")
    picture.paste(overlay, (0, 0))
    key_top = overlay.height + 10
    picture.paste(Image.fromarray(np.repeat((ramp * 255).astype(np.uint8)[None], 16, 0)), (0, key_top))
    draw = ImageDraw.Draw(picture)
    draw.text((0, key_top + 20), "no effect", fill=_INK, font=font, anchor="lt")
    draw.text((width - 1, key_top + 20), "strongest", fill=_INK, font=font, anchor="rt")
    draw.text((width // 2, key_top + 46), "effect on the answer", fill=_INK, font=font, anchor="mt")
    return png_bytes(picture)


def enlarge(image: np.ndarray, scale: int = 8) -> Image.Image:
    """A small gray image enlarged with visible pixels, as the model sees it."""
    return Image.fromarray(image).resize((image.shape[1] * scale, image.shape[0] * scale), Image.NEAREST)
