"""The end of a game in numbers and words: the class against the model, and where each went wrong."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from fmnist.config import CLASS_NAMES
from fmnist.quiz.games import Round

HUMAN_ACCURACY = 0.835  # people on Fashion-MNIST, as measured by Zalando Research (the dataset's README)
CONFUSIONS_SHOWN = 3


@dataclass(frozen=True)
class Summary:
    answers: int
    class_accuracy: float | None  # None before any answer
    model_accuracy: float | None  # the model on the same answers' images
    confusions: list[str]  # sentences, the class's most frequent mistakes first


def summarize(round_: Round, answers: list[tuple[int, int]], model_confusion: np.ndarray) -> Summary:
    """`answers`: (place in the round, class chosen) for every answer given; `model_confusion`: the model's
    confusion matrix on the whole test split (rows: true class), for how often it makes the same mistake."""
    if not answers:
        return Summary(0, None, None, [])
    class_right = sum(choice == round_.truths[place] for place, choice in answers)
    model_right = sum(round_.model_answers[place] == round_.truths[place] for place, _ in answers)
    shown = Counter(round_.truths[place] for place, _ in answers)  # answers given per true class
    mistakes = Counter((round_.truths[place], choice) for place, choice in answers if choice != round_.truths[place])
    sentences = []
    for (truth, choice), count in sorted(mistakes.items(), key=lambda item: (-item[1], item[0]))[:CONFUSIONS_SHOWN]:
        row = model_confusion[truth]
        sentences.append(
            f"The class took {CLASS_NAMES[truth]} for {CLASS_NAMES[choice]} {count / shown[truth]:.0%} of the time "
            f"({count} of {shown[truth]} answers); the model, {row[choice] / max(row.sum(), 1):.0%} of the time "
            f"(on all {int(row.sum()):,} test images of {CLASS_NAMES[truth]})."
        )
    return Summary(len(answers), class_right / len(answers), model_right / len(answers), sentences)
