"""Which test images the Browse page shows: filters, order, paging and the sentence that sums them up."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fmnist.config import CLASS_NAMES


@dataclass(frozen=True)
class Filters:
    true: int | None = None  # class index, or None for all
    predicted: int | None = None
    only_mistakes: bool = False
    least_sure_first: bool = False


def select(labels: np.ndarray, probabilities: np.ndarray, filters: Filters) -> np.ndarray:
    """Indices of the test images that pass the filters, in display order."""
    predictions = probabilities.argmax(axis=1)
    keep = np.ones(len(labels), dtype=bool)
    if filters.true is not None:
        keep &= labels == filters.true
    if filters.predicted is not None:
        keep &= predictions == filters.predicted
    if filters.only_mistakes:
        keep &= predictions != labels
    indices = np.flatnonzero(keep)
    if filters.least_sure_first:
        confidence = probabilities[indices, predictions[indices]]
        indices = indices[np.argsort(confidence, kind="stable")]
    return indices


def page_of(indices: np.ndarray, page: int, per_page: int) -> np.ndarray:
    """The indices on a 1-based page; pages past the end are clamped to the last one."""
    return indices[(clamp_page(page, len(indices), per_page) - 1) * per_page :][:per_page]


def page_count(total: int, per_page: int) -> int:
    return max(1, -(-total // per_page))


def clamp_page(page: int, total: int, per_page: int) -> int:
    return min(max(1, page), page_count(total, per_page))


def _plural(name: str, count: int) -> str:
    if count == 1:
        return name
    return {"Dress": "Dresses", "T-shirt/top": "T-shirts/tops", "Trouser": "Trousers"}.get(name, name + "s")


def summary(labels: np.ndarray, probabilities: np.ndarray, filters: Filters, shown: int) -> str:
    """One sentence describing what the filters show, e.g. "114 of 1,000 Shirts are misclassified"."""
    predictions = probabilities.argmax(axis=1)
    if filters.true is not None:
        base = labels == filters.true
        noun = _plural(CLASS_NAMES[filters.true], int(base.sum()))
    else:
        base = np.ones(len(labels), dtype=bool)
        noun = "test images"
    total = int(base.sum())
    if filters.predicted is not None:
        as_name = CLASS_NAMES[filters.predicted]
        verb = "are misclassified as" if filters.only_mistakes or filters.true not in (None, filters.predicted) else "are predicted as"
        return f"{shown:,} of {total:,} {noun} {verb} {as_name}."
    if filters.only_mistakes:
        return f"{shown:,} of {total:,} {noun} are misclassified ({shown / max(total, 1):.1%})."
    right = int((predictions[base] == labels[base]).sum())
    return f"{shown:,} {noun}: {right:,} classified correctly ({right / max(total, 1):.1%})."
