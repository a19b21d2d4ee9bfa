from spacy.language import Language

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


def test_pipeline_sentences_match_the_pure_splitter(nlp: Language) -> None:
    text = "No paresthesias were noted.  One-half cc of contrast was injected.\nNext line 0.5 mL"
    doc = nlp(text)
    flags = sentence_starts([token.text for token in doc])
    assert [token.is_sent_start for token in doc] == flags
    assert [sent.text.strip() for sent in doc.sents] == [
        "No paresthesias were noted.",
        "One-half cc of contrast was injected.",
        "Next line 0.5 mL",
    ]
