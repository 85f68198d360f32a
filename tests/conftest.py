"""Shared fixtures: the real test split, the real shipped models, and the rule for the full dataset.

Tests that need the train split fail (never skip) when CI is set and the data is missing, so a CI
machine without `dataset-fashion-mnist` cannot pass by skipping them.
"""

from __future__ import annotations

import os

import pytest

from fmnist import data


def require_train_split():
    """Return the train split, or skip locally / fail in CI when it is not installed."""
    if data.find_split("train") is None:
        message = "the Fashion-MNIST train split is missing: apt-get install dataset-fashion-mnist"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return data.load_split("train", download=False)


@pytest.fixture(scope="session")
def test_split():
    return data.load_test_split()


@pytest.fixture(scope="session")
def train_split():
    return require_train_split()


class _Shipped(dict):
    """The shipped models by name, each loaded on first use and shared by every test."""

    def __missing__(self, name):
        from fmnist.models import load_model

        self[name] = load_model(name)
        return self[name]


@pytest.fixture(scope="session")
def classifiers():
    return _Shipped()
