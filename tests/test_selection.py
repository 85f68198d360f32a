"""Browse's filters, order, paging and summary sentence, on the real test split and predictions."""

from __future__ import annotations

import numpy as np
import pytest

from fmnist import selection
from fmnist.config import CLASS_NAMES
from fmnist.selection import Filters

SHIRT, TSHIRT = CLASS_NAMES.index("Shirt"), CLASS_NAMES.index("T-shirt/top")


@pytest.fixture(scope="module")
def predictions(classifiers, test_split):
    return test_split[1], classifiers["mlp"].predict(test_split[0])


def test_true_class_filter(predictions):
    labels, probs = predictions
    chosen = selection.select(labels, probs, Filters(true=SHIRT))
    assert len(chosen) == 1000 and (labels[chosen] == SHIRT).all()


def test_only_mistakes_of_a_class(predictions):
    labels, probs = predictions
    chosen = selection.select(labels, probs, Filters(true=SHIRT, only_mistakes=True))
    assert len(chosen) > 0 and (probs[chosen].argmax(1) != SHIRT).all()
    text = selection.summary(labels, probs, Filters(true=SHIRT, only_mistakes=True), len(chosen))
    assert text.startswith(f"{len(chosen):,} of 1,000 Shirts are misclassified")


def test_confusion_cell(predictions):
    labels, probs = predictions
    chosen = selection.select(labels, probs, Filters(true=SHIRT, predicted=TSHIRT))
    assert (labels[chosen] == SHIRT).all() and (probs[chosen].argmax(1) == TSHIRT).all()
    assert "are misclassified as T-shirt/top" in selection.summary(labels, probs, Filters(true=SHIRT, predicted=TSHIRT), len(chosen))


def test_least_sure_first(predictions):
    labels, probs = predictions
    chosen = selection.select(labels, probs, Filters(least_sure_first=True))
    confidence = probs[chosen].max(1)
    assert len(chosen) == 10000 and (np.diff(confidence) >= 0).all()


def test_paging_clamps():
    indices = np.arange(50)
    assert selection.page_count(50, 24) == 3
    assert selection.page_of(indices, 3, 24).tolist() == [48, 49]
    assert selection.page_of(indices, 99, 24).tolist() == [48, 49]
    assert selection.page_of(indices, -1, 24).tolist() == list(range(24))
    assert selection.page_count(0, 24) == 1


def test_view_round_trips_through_the_url():
    view = selection.View(true=SHIRT, predicted=TSHIRT, only_mistakes=True, least_sure_first=True, per_page=48, page=3, idx=123)
    query = view.to_query()
    assert query == {"true": "Shirt", "pred": "T-shirt/top", "wrong": "1", "sort": "confidence", "per": "48", "page": "3", "idx": "123"}
    assert selection.View.from_query(query) == view
    assert selection.View().to_query() == {}  # defaults stay out of the URL


def test_bad_url_values_fall_back_one_by_one():
    view = selection.View.from_query({"true": "Spaceship", "wrong": "1", "per": "13", "page": "x", "idx": "99999"})
    assert view == selection.View(only_mistakes=True)


def test_neighbours_step_through_a_selection():
    indices = np.array([5, 9, 40])
    assert selection.neighbours(indices, 9) == (5, 40, 2)
    assert selection.neighbours(indices, 5) == (None, 9, 1)
    assert selection.neighbours(indices, 7) == (None, 5, None)  # from outside the selection: its first
    assert selection.page_containing(np.arange(100), 30, 12, current=1) == 3
