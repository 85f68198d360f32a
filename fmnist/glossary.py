"""The words the app uses, explained for a 15-year-old: one definition each, in one place.

Pages pass `TERMS[...]` as a widget's `help=` tip, and the glossary section lists them all, so a word
is explained the same way wherever it appears.
"""

from __future__ import annotations

TERMS = {
    "epoch": (
        "One pass through all the training images. "
        "Training usually takes several epochs; the model improves a little each time."
    ),
    "learning rate": (
        "How big a step the model takes each time it corrects a mistake. "
        "Too big and it jumps around; too small and it learns slowly."
    ),
    "hidden units": (
        "The number of small calculators in the model's middle layer. "
        "More can learn more patterns, but also memorise the training images."
    ),
    "parameters": "The numbers the model adjusts while it learns (its weights). The classic model has about 100,000 of them.",
    "overfitting": (
        "When a model memorises its training images instead of learning what they have in common: "
        "it gets better on them but worse on new images."
    ),
    "occlusion": (
        "Covering part of the picture with a black patch and watching how much the model's confidence drops. "
        "Where it drops most, the model was looking."
    ),
    "gradient": (
        "How much the model's answer would change if one pixel got a little brighter. "
        "Large gradients mark the pixels the answer depends on."
    ),
    "principal axis": (
        "The direction in which the images differ most. "
        "The feature map shows the two most important such directions as its x and y axes."
    ),
    "variance": (
        "How spread out values are. The share of variance an axis explains says how much of the difference "
        "between images that axis shows."
    ),
}


def tip(term: str) -> str:
    """The definition of a term, for a widget's `help=`."""
    return f"**{term.capitalize()}**: {TERMS[term]}"


def as_markdown() -> str:
    """Every term with its definition, as a Markdown list for the glossary section."""
    return "\n".join(f"- **{term.capitalize()}**: {definition}" for term, definition in TERMS.items())
