"""The Lesson as a Jupyter notebook: the same eight steps, the same code, runnable top to bottom.

The code cells come from `fmnist.lesson.STEPS`, so the notebook runs exactly what the Lesson page shows.
It reads the four IDX files with plain NumPy and gzip from a local folder (no network, no fmnist package
needed), and falls back to Keras' own download only where that folder does not hold them.
"""

from __future__ import annotations

from pathlib import Path

from fmnist import data, lesson
from fmnist.config import DEBIAN_DATA_DIR

FILE_NAME = "fashion-mnist-lesson.ipynb"

SETUP = '''import gzip
from pathlib import Path

import keras
import matplotlib.pyplot as plt
import numpy as np

DATA_DIR = Path({data_dir!r})  # a folder holding the four *-idx?-ubyte.gz files of Fashion-MNIST
keras.utils.set_random_seed(42)


def read_idx(path):
    """One IDX file (images or labels) as a uint8 NumPy array."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    shape = np.frombuffer(raw, ">u4", count=ndim, offset=4)
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load_data():
    """Like keras.datasets.fashion_mnist.load_data(), from DATA_DIR when it holds the files."""
    if not (DATA_DIR / "train-images-idx3-ubyte.gz").is_file():
        return keras.datasets.fashion_mnist.load_data()  # downloads once: needs the internet
    return tuple(
        (read_idx(DATA_DIR / f"{{split}}-images-idx3-ubyte.gz"), read_idx(DATA_DIR / f"{{split}}-labels-idx1-ubyte.gz"))
        for split in ("train", "t10k")
    )'''


def default_data_dir() -> Path:
    """Where this computer has the train split (the notebook needs it), or the Debian package's folder."""
    found = data.find_split("train")
    return found[1] if found is not None else DEBIAN_DATA_DIR


def _step_text(number: int, step: lesson.Step) -> str:
    text = f"## Step {number} of {lesson.STEP_COUNT}: {step.title}\n\n{step.idea}"
    if number == 4:
        text += "\n\n" + "\n".join(f"- **{term}** ({name}): {sentence}" for term, name, sentence in lesson.COMPILE_TERMS)
    return text


def build(epochs: int = lesson.EPOCHS, train_count: int | None = None, data_dir: str | Path | None = None):
    """The lesson as an nbformat notebook. `train_count` trains on the first N training images only (a quick run)."""
    import nbformat.v4 as nbf

    notebook = nbf.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [
        nbf.new_markdown_cell(
            "# Fashion-MNIST: classify images of clothing\n\n"
            "The classic walkthrough in eight steps: load the data, scale it, build, compile and fit a small "
            "neural network, evaluate it and use it. Run the cells from top to bottom."
        ),
        nbf.new_code_cell(SETUP.format(data_dir=str(data_dir or default_data_dir()))),
    ]
    for number, step in enumerate(lesson.STEPS, start=1):
        notebook.cells.append(nbf.new_markdown_cell(_step_text(number, step)))
        for i, code in enumerate(lesson.cells(number, epochs=epochs)):
            notebook.cells.append(nbf.new_code_cell(code))
            if number == 1 and i == 0 and train_count:
                notebook.cells.append(nbf.new_code_cell(
                    f"train_images, train_labels = train_images[:{train_count}], train_labels[:{train_count}]  # a quick run"
                ))
    return notebook


def as_bytes(epochs: int = lesson.EPOCHS, train_count: int | None = None, data_dir: str | Path | None = None) -> bytes:
    """The notebook file (.ipynb), validated by nbformat, for the Lesson page's download button."""
    import nbformat

    return nbformat.writes(build(epochs, train_count, data_dir)).encode()
