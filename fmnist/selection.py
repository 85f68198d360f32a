"""Which test images the Browse page shows: filters, order, paging, the sentence that sums them up, and
the whole view as one object that round-trips through the URL."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from fmnist.config import CLASS_NAMES


@dataclass(frozen=True)
class Filters:
    true: int | None = None  # class index, or None for all
    predicted: int | None = None
    only_mistakes: bool = False
    least_sure_first: bool = False


TILES_PER_PAGE = (12, 24, 48)
TEST_IMAGES = 10_000


@dataclass(frozen=True)
class View:
    """Everything that decides what Browse shows. It lives in the session (so it survives visiting other
    pages) and in the URL (so a shared link restores it); `from_query` and `to_query` are the only places
    that spell the URL's keys."""

    true: int | None = None  # class index, or None for all
    predicted: int | None = None
    only_mistakes: bool = False
    least_sure_first: bool = False
    per_page: int = 24
    page: int = 1
    idx: int | None = None  # the test image open in the detail view

    @property
    def filters(self) -> Filters:
        return Filters(self.true, self.predicted, self.only_mistakes, self.least_sure_first)

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> View:
        """The view a URL describes; a missing or bad value falls back to its default, one by one."""
        parsers = {
            "true": ("true", lambda raw: CLASS_NAMES.index(raw)),
            "predicted": ("pred", lambda raw: CLASS_NAMES.index(raw)),
            "only_mistakes": ("wrong", lambda raw: raw == "1"),
            "least_sure_first": ("sort", lambda raw: raw == "confidence"),
            "per_page": ("per", lambda raw: _one_of(int(raw), TILES_PER_PAGE)),
            "page": ("page", lambda raw: max(1, int(raw))),
            "idx": ("idx", lambda raw: _one_of(int(raw), range(TEST_IMAGES))),
        }
        values = {}
        for name, (key, parse) in parsers.items():
            try:
                values[name] = parse(query[key])
            except (KeyError, ValueError, TypeError):
                pass
        return cls(**values)

    def to_query(self) -> dict[str, str]:
        """The URL's query for this view: only the values that differ from the defaults."""
        values = {
            "true": None if self.true is None else CLASS_NAMES[self.true],
            "pred": None if self.predicted is None else CLASS_NAMES[self.predicted],
            "wrong": "1" if self.only_mistakes else None,
            "sort": "confidence" if self.least_sure_first else None,
            "per": None if self.per_page == View.per_page else str(self.per_page),
            "page": None if self.page == 1 else str(self.page),
            "idx": None if self.idx is None else str(self.idx),
        }
        return {key: value for key, value in values.items() if value is not None}


URL_KEYS = ("true", "pred", "wrong", "sort", "per", "page", "idx")  # what View.to_query may write


def _one_of(value: int, allowed) -> int:
    if value not in allowed:
        raise ValueError(value)
    return value


def neighbours(indices: np.ndarray, index: int) -> tuple[int | None, int | None, int | None]:
    """(previous, next, 1-based position) of `index` in a selection; from outside it, next is the first."""
    where = np.flatnonzero(indices == index)
    if len(where) == 0:
        return None, (int(indices[0]) if len(indices) else None), None
    at = int(where[0])
    previous = int(indices[at - 1]) if at > 0 else None
    following = int(indices[at + 1]) if at + 1 < len(indices) else None
    return previous, following, at + 1


def page_containing(indices: np.ndarray, index: int, per_page: int, current: int) -> int:
    """The 1-based page on which `index` appears in the selection (the current page if it does not)."""
    where = np.flatnonzero(indices == index)
    return int(where[0]) // per_page + 1 if len(where) else current


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
