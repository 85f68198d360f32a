"""The Model page's Altair charts: what their specs promise a reader."""

from __future__ import annotations

import numpy as np

from fmnist.config import CLASS_NAMES
from fmnist.ui import charts


def test_a_class_under_half_right_still_gets_a_bar():
    """Issue 15 bug 4: the axis started at 0.5, so a Shirt at 31% showed an empty row."""
    accuracies = {name: 0.9 for name in CLASS_NAMES} | {"Shirt": 0.31}
    spec = charts.per_class_accuracy({"yours": accuracies}).to_dict()
    low, high = spec["encoding"]["x"]["scale"]["domain"]
    assert low <= 0 < 0.31 <= high and not spec["encoding"]["x"]["scale"].get("clamp")


def test_class_names_are_large_dark_and_not_on_end():
    matrix = charts.confusion_matrix(np.eye(10, dtype=int) * 100).to_dict()
    x_axis, y_axis = (matrix["layer"][0]["encoding"][k]["axis"] for k in ("x", "y"))
    for axis in (x_axis, y_axis):
        assert axis["labelFontSize"] >= 14 and axis["labelColor"] == "#262730"
    assert abs(x_axis["labelAngle"]) < 90
    bars = charts.per_class_accuracy({"m": dict.fromkeys(CLASS_NAMES, 0.9)}).to_dict()
    assert bars["encoding"]["y"]["axis"]["labelFontSize"] >= 14
