"""The note text of a Doc, kept once instead of rebuilt.

spaCy's ``Doc.text`` joins every token's text on each access (about 1.5 ms for a 3 k
character note), and the reader needs the text in several places. The reader's tokenizer
keeps the original text in ``doc.user_data``; :func:`doc_text` returns it, falling back to
``Doc.text`` for Docs made elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from spacy.tokens import Doc

TEXT_KEY = "chartready.text"


def doc_text(doc: Doc) -> str:
    """``doc.text``, from the copy the tokenizer kept when there is one."""
    kept = doc.user_data.get(TEXT_KEY)
    if isinstance(kept, str) and len(kept) == (
        doc[-1].idx + len(doc[-1].text_with_ws) if len(doc) else 0
    ):
        return kept
    return doc.text


class TextKeepingTokenizer:
    """Wraps a tokenizer so each Doc it makes keeps its original text."""

    def __init__(self, tokenizer: Callable[[str], Doc]) -> None:
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Doc:
        doc = self.tokenizer(text)
        doc.user_data[TEXT_KEY] = text
        return doc

    def __getattr__(self, name: str) -> Any:
        return getattr(self.tokenizer, name)
