"""The shipped artifact with the real (bundled, offline) MiniLM encoder."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from spacy.language import Language
from typer.testing import CliRunner

from assistant.cli import app
from assistant.facts import Elements, NoteFacts
from assistant.learned import learned_available, learned_elements, learned_version
from assistant.learned.artifact import cached_model, default_folder
from assistant.learned.embed import embed
from assistant.learned.infer import score_vectors
from assistant.learned.schema import LearnedModel

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def model() -> LearnedModel:
    assert learned_available(), "the learned artifact or the bundled encoder is missing"
    return cached_model(str(default_folder()))


@pytest.mark.parametrize(
    ("element", "sentence"),
    [
        ("functional_impairment", "Because of the back pain she can no longer walk her dog."),
        ("functional_impairment", "He gave up his job because the pain stops him from lifting."),
        ("pain_duration", "The low back pain has been going on for about four years."),
        ("conservative_therapy_failed", "Twelve sessions of PT and daily naproxen did not help."),
        ("prior_block_relief", "His last facet injection gave about 80 percent relief for weeks."),
    ],
)
def test_classifier_scores_a_paraphrase_above_threshold(
    model: LearnedModel, element: str, sentence: str
) -> None:
    score = float(score_vectors(model, element, embed([sentence]))[0])
    assert score >= model.elements[element].threshold  # type: ignore[index]


@pytest.mark.parametrize("sentence", ["The needle was withdrawn and a bandage applied."])
def test_classifier_scores_procedure_boilerplate_below_every_threshold(
    model: LearnedModel, sentence: str
) -> None:
    vector = embed([sentence])
    for name, element in model.elements.items():
        assert float(score_vectors(model, name, vector)[0]) < element.threshold


@pytest.mark.usefixtures("model")
def test_learned_elements_on_a_read_note_only_adds_with_sentence_evidence(
    nlp: Language, read: Callable[[str], NoteFacts]
) -> None:
    note = json.loads((FIXTURES / "paraphrase-notes.jsonl").read_text().splitlines()[0])
    doc = nlp(note["text"])
    facts = read(note["text"])
    sentences = [(s.start_char, s.end_char) for s in doc.sents]
    elements, evidence = learned_elements(doc.text, sentences, facts.elements)
    assert evidence, "the paraphrased note should gain at least one learned element"
    for name in Elements.model_fields:
        assert getattr(elements, name) >= getattr(facts.elements, name)
    for ev in evidence:
        assert doc.text[ev.start : ev.end] == ev.text
        assert any(s <= ev.start and ev.end <= e for s, e in sentences)
        assert ev.rule == f"learned:{learned_version()}"
        assert not getattr(facts.elements, ev.field.removeprefix("elements."))


@pytest.mark.usefixtures("model")
def test_train_learned_cli_is_reproducible(tmp_path: Path) -> None:
    labels = tmp_path / "labels"
    labels.mkdir()
    rows = [
        json.loads(line)
        for line in (default_folder() / "labels" / "handwritten.v1.jsonl").read_text().splitlines()
    ]
    (labels / "h.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    config = tmp_path / "config.yaml"
    text = (default_folder() / "config.v1.yaml").read_text()
    config.write_text(text.replace("min_positives: 12", "min_positives: 10"))
    runner = CliRunner()
    outputs = []
    for name in ("a", "b"):
        args = ["train-learned", "--labels", str(labels), "--config", str(config)]
        result = runner.invoke(app, [*args, "--out", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        outputs.append(json.loads((tmp_path / name / "manifest.json").read_text()))
    assert outputs[0] == outputs[1]
    assert outputs[0]["labels_rows"] == len(rows)
    assert (tmp_path / "a" / "model.json").read_bytes() == (
        tmp_path / "b" / "model.json"
    ).read_bytes()


@pytest.mark.parametrize("threads", [1, 2])
def test_embed_by_length_matches_input_order_and_restores_threads(threads: int) -> None:
    import torch

    sentences = [
        "Pain for years.",
        "She cannot sit through a movie or lift her grandchild because of the back pain.",
        "No relief.",
        "Physical therapy twice a week for six weeks did not help at all.",
    ]
    before = torch.get_num_threads()
    grouped = embed(sentences, batch_size=2, by_length=True, threads=threads)
    assert torch.get_num_threads() == before
    assert np.allclose(grouped, embed(sentences), atol=1e-5)
