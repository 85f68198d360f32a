"""Figures and small pictures for the app and the CLI.

Matplotlib runs on the Agg backend and every figure is rendered to PNG bytes and closed at once, so a
long-running server never accumulates figures. Palettes carry the right/wrong colours: the classic
green/red, or blue/orange that deuteranopes can tell apart.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

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


def tile_picture(image: np.ndarray, probabilities: np.ndarray, true_label: int | None, palette: Palette, scale: int = 4) -> Image.Image:
    """A grid tile drawn with NumPy: the item enlarged and its 10-bar chart beneath, no matplotlib needed.

    Drawing tiles directly keeps a page of 30 tiles well under the time of one matplotlib figure.
    """
    side = image.shape[0] * scale
    bar_height = side // 2
    picture = np.full((side + 4 + bar_height, side, 3), 255, np.uint8)
    picture[:side] = np.repeat(np.repeat(image, scale, 0), scale, 1)[..., None]
    colours = bar_colours(probabilities, true_label, palette)
    slot = side / NUM_CLASSES
    for i, (p, colour) in enumerate(zip(probabilities, colours)):
        height = int(round(float(p) * bar_height))
        left, right = int(i * slot + 1), int((i + 1) * slot - 1)
        picture[side + 4 + bar_height - max(height, 1) : side + 4 + bar_height, left:right] = _hex_rgb(colour)
    return Image.fromarray(picture)


def describe_tile(probabilities: np.ndarray, true_label: int) -> str:
    """The tile in words (its alt text): what the image shows and what the model answered."""
    predicted = int(np.argmax(probabilities))
    verdict = "right" if predicted == int(true_label) else "wrong"
    return f"A {CLASS_NAMES[int(true_label)]}; the model says {CLASS_NAMES[predicted]} ({probabilities[predicted]:.0%}), {verdict}."


def qr_code(text: str) -> bytes:
    """A QR code of `text` as PNG bytes, black on white with the standard quiet zone."""
    import qrcode  # only the Share control needs it

    buffer = io.BytesIO()
    qrcode.make(text, border=4).save(buffer, format="PNG")
    return buffer.getvalue()


def montage(pictures: list[Image.Image], columns: int, gap: int = 6) -> Image.Image:
    """Pictures of equal size in a grid on white: one image to send instead of many."""
    width, height = pictures[0].size
    rows = -(-len(pictures) // columns)
    sheet = Image.new("RGB", (columns * (width + gap) - gap, rows * (height + gap) - gap), "white")
    for k, picture in enumerate(pictures):
        sheet.paste(picture, ((k % columns) * (width + gap), (k // columns) * (height + gap)))
    return sheet


def probability_chart(probabilities: np.ndarray, true_label: int | None, palette: Palette, height: float = 3.0) -> bytes:
    """Horizontal bars with class names, for the detail view, Draw and Photo pages.

    Narrow and with large type (12 pt at 110 dpi: 18 px), so the class names stay >= 14 px when the
    page shrinks the picture into a column at 1280x720.
    """
    fig, ax = plt.subplots(figsize=(4.6, height), dpi=110)
    order = np.arange(NUM_CLASSES)[::-1]
    ax.barh([CLASS_NAMES[i] for i in order], probabilities[order], color=[bar_colours(probabilities, true_label, palette)[i] for i in order])
    ax.set_xlim(0, 1)
    ax.set_xlabel("probability", fontsize=12)
    ax.tick_params(labelsize=12)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    for y, i in enumerate(order):
        if probabilities[i] >= 0.01:
            ax.text(min(probabilities[i] + 0.01, 0.85), y, f"{probabilities[i]:.0%}", va="center", fontsize=11)
    return figure_png(fig)


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


def heatmap_with_key(image: np.ndarray, heatmap: np.ndarray) -> bytes:
    """The heatmap overlay with a colour key beneath: from no effect (dark) to the strongest (pale yellow)."""
    fig, ax = plt.subplots(figsize=(3.2, 3.9), dpi=100)
    ax.imshow(heatmap_overlay(image, heatmap, scale=1), interpolation="nearest")
    ax.set_axis_off()
    key = fig.colorbar(plt.cm.ScalarMappable(cmap=HEATMAP_COLOURS), ax=ax, orientation="horizontal", fraction=0.06, pad=0.03)
    key.set_ticks([0, 1], labels=["no effect", "strongest"], fontsize=12)
    key.set_label("effect on the answer", fontsize=12)
    return figure_png(fig)


def enlarge(image: np.ndarray, scale: int = 8) -> Image.Image:
    """A small gray image enlarged with visible pixels, as the model sees it."""
    return Image.fromarray(image).resize((image.shape[1] * scale, image.shape[0] * scale), Image.NEAREST)
