"""The Model and Train pages' charts in words: what a sighted user reads off them, for screen readers.

Each function takes the numbers a chart is drawn from and returns the sentence (or table) that goes
beside it or into its alt text, so the words are tested like the numbers. The tile's and the bar chart's
words live beside their pictures (`plots.describe_tile`, `plots.describe_chart`), a heatmap's in
`explain.describe_heatmap`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fmnist.config import CLASS_NAMES

MISTAKES_NAMED = 3  # the confusion matrix's largest off-diagonal cells, named in its sentence


def per_class_accuracy(accuracies: dict[str, float]) -> str:
    """Every class's accuracy, best first: the per-class bar chart as one sentence."""
    ranked = sorted(accuracies.items(), key=lambda item: -item[1])
    return "Accuracy per class, best first: " + ", ".join(f"{name} {value:.1%}" for name, value in ranked) + "."


def per_class_comparison(accuracies: dict[str, dict[str, float]]) -> str:
    """The grouped bars of several models: which model is ahead on how many classes, and the biggest gap."""
    if len(accuracies) < 2:
        return per_class_accuracy(next(iter(accuracies.values())))
    (first, a), (second, b) = list(accuracies.items())[:2]
    ahead = sum(b[name] > a[name] for name in CLASS_NAMES)
    widest = max(CLASS_NAMES, key=lambda name: abs(b[name] - a[name]))
    return (
        f"Accuracy per class of {' and '.join(accuracies)}: the {second} is ahead on {ahead} of {len(CLASS_NAMES)} classes; "
        f"the widest gap is {widest}, {a[widest]:.1%} for the {first} and {b[widest]:.1%} for the {second}."
    )


def confusion_table(matrix) -> pd.DataFrame:
    """The confusion matrix as a table with named rows (true class) and columns (predicted class)."""
    table = pd.DataFrame(np.asarray(matrix), index=list(CLASS_NAMES), columns=list(CLASS_NAMES))
    table.index.name = "true \\ predicted"  # a header a screen reader can read, not an empty cell
    return table


def confusions(matrix) -> str:
    """The confusion matrix in a sentence: how many images it counts and its most frequent mistakes."""
    matrix = np.asarray(matrix)
    mistakes = matrix.copy()
    np.fill_diagonal(mistakes, 0)
    order = np.argsort(mistakes, axis=None)[::-1][:MISTAKES_NAMED]
    named = [
        f"{CLASS_NAMES[t]} taken for {CLASS_NAMES[p]} {mistakes[t, p]:,} times"
        for t, p in (np.unravel_index(i, mistakes.shape) for i in order)
        if mistakes[t, p] > 0
    ]
    right = int(np.trace(matrix))
    sentence = f"{right:,} of {int(matrix.sum()):,} test images on the diagonal (right)"
    return sentence + (f"; the most frequent mistakes: {'; '.join(named)}." if named else "; no mistakes.")


def training_curves(history: dict[str, list[float]]) -> str:
    """The train and test curves in words: where accuracy and loss started and ended, and the final gap."""
    train, test = history.get("train_accuracy", []), history.get("test_accuracy", [])
    if not train:
        return "Training curves: no epoch has finished yet."
    parts = [f"Training curves over {len(train)} epoch{'s' if len(train) != 1 else ''}: train accuracy {train[0]:.1%} to {train[-1]:.1%}"]
    if test:
        parts.append(f"test accuracy {test[0]:.1%} to {test[-1]:.1%}")
    losses = [(name, history.get(f"{name}_loss", [])) for name in ("train", "test")]
    parts += [f"{name} loss {values[0]:.3f} to {values[-1]:.3f}" for name, values in losses if values]
    sentence = ", ".join(parts) + "."
    if test:
        gap = train[-1] - test[-1]
        sentence += f" In the last epoch the model is {abs(gap) * 100:.1f} points {'better' if gap >= 0 else 'worse'} on the train split than on the test split."
    return sentence
