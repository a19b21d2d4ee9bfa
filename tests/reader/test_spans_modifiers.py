"""Reading ConText modifiers from the graph's edges gives what ``span._.modifiers`` holds."""

from __future__ import annotations

import pytest
from spacy.language import Language

from assistant.reader.spans import modifiers_by_offsets
from assistant.reader.targets import SPAN_KEY


@pytest.mark.parametrize(
    "text",
    [
        "No lumbar radiculopathy. Left L4-L5 transforaminal epidural steroid injection.",
        "Family history of cervical spondylosis. Will consider medial branch block at L3-L4.",
        "Possible facet arthropathy; denies saddle anesthesia. Fluoroscopic guidance used.",
    ],
)
def test_modifiers_by_offsets_equals_span_extension(nlp: Language, text: str) -> None:
    doc = nlp(text)
    modified = modifiers_by_offsets(doc)
    assert modified  # each text has at least one modified target
    for span in doc.spans[SPAN_KEY]:
        assert modified.get((span.start_char, span.end_char), ()) == tuple(span._.modifiers)
