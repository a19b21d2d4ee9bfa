"""Fill spaCy's tokenizer cache word by word, which its own loop stops doing early.

spaCy's ``Tokenizer`` caches how each whitespace-separated chunk splits into tokens, but
one flag per call decides whether to cache: once any chunk hits a special case (a line
break is one), no later chunk of that text is cached. Notes therefore re-ran the
prefix/suffix/infix regexes for almost every word on every read (13 % of a check).
:class:`CachePrimingTokenizer` first tokenizes each chunk it has not seen before on its
own, where the flag only reflects that chunk, so spaCy caches exactly the chunks it would
cache without the sticky flag. Tokens are unchanged: a chunk splits the same alone as
inside a note, and the Doc still comes from the wrapped tokenizer on the whole text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from spacy.tokens import Doc

# Chunks remembered as primed; past this, new chunks are tokenized as spaCy alone would
# (its cache and string store keep growing with the vocabulary anyway).
MAX_PRIMED = 200_000


class CachePrimingTokenizer:
    """Wraps a spaCy tokenizer so that its chunk cache fills for every chunk it can."""

    def __init__(self, tokenizer: Callable[[str], Doc], limit: int = MAX_PRIMED) -> None:
        self.tokenizer = tokenizer
        self.limit = limit
        self.primed: set[str] = set()

    def __call__(self, text: str) -> Doc:
        chunks = text.split()  # str.isspace, as spaCy splits
        new = set(chunks).difference(self.primed)
        if new and len(self.primed) < self.limit:
            for chunk in dict.fromkeys(chunks):  # text order, first occurrence
                if chunk in new:
                    self.tokenizer(chunk)
            self.primed.update(new)
        return self.tokenizer(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.tokenizer, name)
