"""fmnist — Fashion-MNIST classification: data, models, image conversion, explanations.

    import fmnist
    (x_train, y_train), (x_test, y_test) = fmnist.load_data()
    clf = fmnist.load_model("cnn")
    probs = clf.predict(x_test[:5])
    x = fmnist.to_model_input(pil_image)
"""

import os

# TensorFlow's C++ start-up chatter is noise for a CLI and an app; real errors still show.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from fmnist.config import CLASS_NAMES  # noqa: E402
from fmnist.data import load_data  # noqa: E402
from fmnist.imaging import to_model_input  # noqa: E402
from fmnist.models import load_model  # noqa: E402

__all__ = ["CLASS_NAMES", "load_data", "load_model", "to_model_input"]
