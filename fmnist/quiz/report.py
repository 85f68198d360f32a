"""The end of a game in numbers and words: the class against the model, and where each went wrong."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from fmnist.config import CLASS_NAMES
from fmnist.quiz.games import Round

HUMAN_ACCURACY = 0.835  # people on Fashion-MNIST, as measured by Zalando Research (the dataset's README)
CONFUSIONS_SHOWN = 3
CONFUSION_MIN = 3  # a mistake made once or twice in a class is chance, not a pattern worth a sentence
NO_CONFUSIONS = f"No mistake came up {CONFUSION_MIN} times or more in the class."


@dataclass(frozen=True)
class Summary:
    answers: int
    class_accuracy: float | None  # None before any answer
    model_accuracy: float | None  # the model on the same answers' images
    confusions: list[str]  # sentences, the class's most frequent mistakes (at least CONFUSION_MIN times) first


def summarize(round_: Round, answers: list[tuple[int, int]], model_confusion: np.ndarray) -> Summary:
    """`answers`: (place in the round, class chosen) for every answer given; `model_confusion`: the model's
    confusion matrix on the whole test split (rows: true class), for how often it makes the same mistake."""
    if not answers:
        return Summary(0, None, None, [])
    class_right = sum(choice == round_.truths[place] for place, choice in answers)
    model_right = sum(round_.model_answers[place] == round_.truths[place] for place, _ in answers)
    shown = Counter(round_.truths[place] for place, _ in answers)  # answers given per true class
    mistakes = Counter((round_.truths[place], choice) for place, choice in answers if choice != round_.truths[place])
    common = [(key, count) for key, count in mistakes.items() if count >= CONFUSION_MIN]
    sentences = [
        confusion_sentence(truth, choice, count, shown[truth], model_confusion[truth])
        for (truth, choice), count in sorted(common, key=lambda item: (-item[1], item[0]))[:CONFUSIONS_SHOWN]
    ]
    return Summary(len(answers), class_right / len(answers), model_right / len(answers), sentences)


def a(name: str) -> str:
    return f"an {name}" if name[0] in "AEIOU" else f"a {name}"


def times(count: int) -> str:
    return f"{count} time" if count == 1 else f"{count} times"


def confusion_sentence(truth: int, choice: int, count: int, shown: int, model_row: np.ndarray) -> str:
    """In words a 15-year-old reads at once: counts, not percentages; the model's as "in 100" on all the test
    images of that class (`model_row`: its confusion-matrix row for `truth`)."""
    in_100 = round(100 * model_row[choice] / max(model_row.sum(), 1))
    model = "never" if not model_row[choice] else "fewer than 1 time in 100" if in_100 == 0 else f"{times(in_100)} in 100"
    return (
        f"When the picture was {a(CLASS_NAMES[truth])}, the class said {CLASS_NAMES[choice]} {times(count)} out of "
        f"{shown} (the model: {model} on all {CLASS_NAMES[truth]} test images)."
    )
