"""The reader's Docs keep their note text; other Docs fall back to ``Doc.text``."""

from __future__ import annotations

import spacy
from spacy.language import Language

from assistant.reader.doc_text import TEXT_KEY, doc_text


def test_doc_text_is_the_kept_original(nlp: Language) -> None:
    text = "Procedure:  L4-5 TFESI.\n\nComplications: none.  "
    doc = nlp(text)
    assert doc.user_data[TEXT_KEY] is text
    assert doc_text(doc) == doc.text == text


def test_doc_text_falls_back_without_or_with_a_stale_copy() -> None:
    doc = spacy.blank("en")("Lumbar medial branch block.")
    assert doc_text(doc) == "Lumbar medial branch block."
    doc.user_data[TEXT_KEY] = "something else entirely, longer than the note"
    assert doc_text(doc) == "Lumbar medial branch block."


def test_doc_text_of_an_empty_doc(nlp: Language) -> None:
    assert doc_text(nlp("")) == ""
