"""placeholder"""
import numpy as np
from PIL import Image, ImageOps
def to_model_input(image):
    g = ImageOps.grayscale(image).resize((28, 28))
    return np.asarray(g, dtype=np.uint8)
