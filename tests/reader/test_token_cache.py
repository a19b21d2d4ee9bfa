"""The cache-priming tokenizer: same tokens as spaCy's, each new chunk primed once."""

from __future__ import annotations

import spacy
from scispacy.custom_tokenizer import combined_rule_tokenizer
from spacy.language import Language
from spacy.tokens import Doc

from assistant.reader.token_cache import CachePrimingTokenizer

NOTES = [
    "PROCEDURE:  Left L4-5 TFESI.\nCONSENT: risks, e.g. bleeding, were discussed.\n\nPain 6/10.",
    "Dr. Smith's pt. didn't tolerate PT; MRI (L5-S1) showed 3mm protrusion.\tNo sedation.",
    "Pain 6/10.\nPain 6/10.\r\nInjected 2 mL of 1% lidocaine at 10:30 a.m. ~ no complications",
    "",
]


class _Recording:
    """A stand-in tokenizer that records what it was asked to tokenize."""

    def __init__(self) -> None:
        self.vocab = spacy.blank("en").vocab
        self.calls: list[str] = []

    def __call__(self, text: str) -> Doc:
        self.calls.append(text)
        return Doc(self.vocab, words=text.split() or [""])


def _tokens(doc: Doc) -> list[tuple[str, str, str, int]]:
    return [(t.text, t.whitespace_, t.norm_, t.idx) for t in doc]


def test_token_cache_tokens_match_plain_spacy(nlp: Language) -> None:
    plain = combined_rule_tokenizer(spacy.blank("en"))
    for _round in range(2):  # the second round runs on the primed cache
        for text in NOTES:
            assert _tokens(nlp.tokenizer(text)) == _tokens(plain(text))


def test_token_cache_primes_new_chunks_once_in_text_order() -> None:
    inner = _Recording()
    tokenizer = CachePrimingTokenizer(inner)
    tokenizer("Pain 6/10.\nPain  worse.")
    assert inner.calls == ["Pain", "6/10.", "worse.", "Pain 6/10.\nPain  worse."]
    inner.calls.clear()
    tokenizer("worse.\nbetter")
    assert inner.calls == ["better", "worse.\nbetter"]


def test_token_cache_stops_priming_at_its_limit() -> None:
    inner = _Recording()
    tokenizer = CachePrimingTokenizer(inner, limit=2)
    tokenizer("a b")
    tokenizer("c d")
    assert inner.calls == ["a", "b", "a b", "c d"]
    assert tokenizer.primed == {"a", "b"}
    assert tokenizer.vocab is inner.vocab  # other attributes come from the wrapped one
