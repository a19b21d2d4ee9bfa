"""The shipped learned layer (`models/learned`): its training data and how it joins the rules."""

import json
from pathlib import Path

import pytest

from assistant.learned import default_layer, learned_dir
from assistant.learned.training import KIND_MIN_GAIN
from assistant.reader.read import read_note

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
NOTES = sorted((CORPUS / "mtsamples" / "notes").glob("*.txt"))[:8]


@pytest.fixture(scope="module")
def manifest() -> dict[str, object]:
    return json.loads((learned_dir() / "manifest.json").read_text(encoding="utf-8"))


def test_the_frozen_test_part_never_trained_the_layer(manifest: dict[str, object]) -> None:
    training = manifest["training_data"]
    assert isinstance(training, dict)
    assert set(training["by_set"]) == {"dev", "fresh-train", "fresh-val"}
    card = (learned_dir() / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert str(manifest["version"]) in card
    assert "frozen fresh test part is never used" in card


def test_the_kind_head_is_used_only_with_a_clear_out_of_fold_gain(
    manifest: dict[str, object],
) -> None:
    layer = default_layer()
    assert layer is not None
    held = manifest["held_out"]
    assert isinstance(held, dict)
    gain = held["note_kind"]["oof_accuracy"] - held["note_kind"]["rules"]
    assert bool(layer.heads["note_kind"].thresholds) == (gain > KIND_MIN_GAIN)


@pytest.mark.parametrize("path", NOTES, ids=lambda p: p.stem)
def test_the_layer_only_adds_and_says_where_and_which_version(path: Path) -> None:
    layer = default_layer()
    assert layer is not None
    text = path.read_text(encoding="utf-8")
    rules = read_note(text, path.stem, learned=False)
    both = read_note(text, path.stem, learned=True)
    for name, value in rules.elements.model_dump().items():
        assert getattr(both.elements, name) >= value, name  # never removes a rule finding
    if not layer.heads["note_kind"].thresholds:
        assert both.note_kind == rules.note_kind
    added = [
        e for e in both.evidence if e not in rules.evidence and e.field.startswith("elements.")
    ]
    for evidence in added:
        assert 0 <= evidence.start < evidence.end <= len(text)
        assert text[evidence.start : evidence.end] == evidence.text
        assert getattr(both.elements, evidence.field.removeprefix("elements."))
    assert both.reader_version == f"{rules.reader_version} + {layer.version}"


def test_a_switched_off_head_is_shipped_but_not_used(
    manifest: dict[str, object], tmp_path: Path
) -> None:
    from assistant.learned.heads import load_heads

    layer = default_layer()
    assert layer is not None
    switched_off = manifest.get("switched_off", {})
    assert isinstance(switched_off, dict)
    card = (learned_dir() / "MODEL_CARD.md").read_text(encoding="utf-8")
    for name in switched_off:
        assert layer.heads[name].thresholds == {}
        assert name.removeprefix("element.") + ": " in card
    # The same artifact without the switch uses the head again (its threshold is kept).
    for file in learned_dir().iterdir():
        (tmp_path / file.name).write_bytes(file.read_bytes())
    plain = {k: v for k, v in manifest.items() if k != "switched_off"}
    (tmp_path / "manifest.json").write_text(json.dumps(plain), encoding="utf-8")
    heads, _ = load_heads(tmp_path)
    for name in switched_off:
        assert heads[name].thresholds


@pytest.mark.parametrize(
    ("note", "blank"),
    [
        ("Fluoro-guided L4-5 TFESI.\nImages saved: [ ]\nTolerated well.", ["Images saved: [ ]"]),
        ("Right knee injection.\nExam: ***\nDone under ultrasound.", ["Exam: ***"]),
        ("Procedure note.\nImages saved: [x] Yes [ ] No\nTolerated well.", []),
        ("* L5-S1 ILESI, fluoro\n* 80 mg Depo-Medrol\n* no complications", []),
    ],
)
def test_a_template_line_left_blank_is_no_sentence_for_a_head(note: str, blank: list[str]) -> None:
    from assistant.reader.pipeline import get_reader
    from assistant.reader.reading import reading_of

    reading = reading_of(get_reader()(note))
    found = [reading.sentence_text(reading.sentences[i]).strip() for i in reading.blank_sentences()]
    assert found == blank


@pytest.mark.parametrize(
    "sentence",
    [
        "Spot films were not saved; the archive was down.",
        "- fluoroscopy images never stored (network outage)",
    ],
)
def test_images_said_not_to_be_kept_are_not_saved_images(sentence: str) -> None:
    """The rules turn the element down in that sentence; no head may add it back from there."""
    from assistant.reader.read import read_note

    note = f"Right L4-5 TFESI under fluoroscopy, 80 mg Depo-Medrol.\n{sentence}\nTolerated well."
    assert read_note(note, "t", learned=True).elements.images_saved is False


def test_an_unticked_option_is_no_evidence_for_a_head() -> None:
    """'Images: [ ] Saved  [x] N/A' says nothing about saved images, to a head as to a rule."""
    from assistant.reader.read import read_note

    note = (
        "Left knee injection, landmark guided, 40 mg Kenalog.\n"
        "Images: [ ] Saved   [x] Not applicable\nFollow-up: 4 weeks"
    )
    assert read_note(note, "t", learned=True).elements.images_saved is False
