from assistant.reader.sentences import sentence_starts


def test_sentence_starts_breaks_on_lines_and_punctuation() -> None:
    words = ["No", "pain", ".", "  ", "One", "cc", "\n", "Next", "Dr", ".", "Smith"]
    assert sentence_starts(words) == [
        True,
        False,
        False,
        False,
        True,
        False,
        False,
        True,
        False,
        False,
        False,
    ]


def test_sentence_starts_keeps_decimals_together() -> None:
    assert sentence_starts(["Dose", "0", ".", "5", "mL"]) == [True, False, False, False, False]


def test_sentence_starts_empty() -> None:
    assert sentence_starts([]) == []
