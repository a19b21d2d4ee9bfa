"""OpenAPI: every JSON route carries examples, and the stored examples are real and current."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
from fastapi.testclient import TestClient
from spacy.language import Language

from api.examples import example_specs, load_example
from api.examples.record import record_exchanges

VERSION_KEYS = frozenset({"version", "versions", "reader_version", "model_version"})
SPEC_NAMES = [spec.name for spec in example_specs()]


def _resolve(openapi: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if not isinstance(ref, str):
        return schema
    target: Any = openapi
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    resolved: dict[str, Any] = target
    return resolved


def _json_media(openapi: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """``("POST /v1/checks request", media)`` for every JSON request body and 2xx response."""
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            body = (operation.get("requestBody") or {}).get("content", {})
            if "application/json" in body:
                yield f"{where} request", body["application/json"]
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if status.startswith("2") and "application/json" in content:
                    yield f"{where} {status}", content["application/json"]


def _media_examples(media: dict[str, Any]) -> list[Any]:
    found = [media["example"]] if "example" in media else []
    return found + [item["value"] for item in (media.get("examples") or {}).values()]


def _has_example(openapi: dict[str, Any], media: dict[str, Any]) -> bool:
    schema = _resolve(openapi, media.get("schema", {}))
    return bool(_media_examples(media) or schema.get("examples") or "example" in schema)


@pytest.fixture(scope="module")
def openapi(client: TestClient) -> dict[str, Any]:
    document: dict[str, Any] = client.get("/openapi.json").json()
    return document


def test_openapi_every_json_route_has_examples(openapi: dict[str, Any]) -> None:
    media = dict(_json_media(openapi))
    assert "POST /v1/checks request" in media and "POST /v1/checks 200" in media
    missing = [where for where, item in media.items() if not _has_example(openapi, item)]
    assert missing == [], f"add request/response examples (api/examples) for: {missing}"


def test_openapi_examples_fit_their_documented_schemas(openapi: dict[str, Any]) -> None:
    checked = 0
    for where, media in _json_media(openapi):
        # The schema is checked inside the whole document so its $refs resolve.
        schema = {**media["schema"], "components": openapi["components"]}
        schema_examples = _resolve(openapi, media["schema"]).get("examples") or []
        for example in [*_media_examples(media), *schema_examples]:
            errors = list(jsonschema.Draft202012Validator(schema).iter_errors(example))
            assert not errors, f"{where}: {errors[0].message} at {list(errors[0].path)}"
            checked += 1
    assert checked >= len(SPEC_NAMES)


@pytest.mark.parametrize("name", SPEC_NAMES)
def test_stored_example_fits_its_model_and_spec(name: str) -> None:
    spec = next(s for s in example_specs() if s.name == name)
    stored = load_example(name)
    assert (stored["method"], stored["path"]) == (spec.method, spec.path)
    assert stored["request"] == json.loads(json.dumps(spec.request))
    spec.response_model.model_validate(stored["response"])


def _versions(value: Any, path: str = "") -> dict[str, Any]:
    """Every version-like field of a response, keyed by its JSON path."""
    found: dict[str, Any] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            if key in VERSION_KEYS:
                found[f"{path}/{key}"] = item
            else:
                found.update(_versions(item, f"{path}/{key}"))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.update(_versions(item, f"{path}/{index}"))
    return found


@pytest.fixture(scope="module")
def fresh(nlp: Language) -> dict[str, dict[str, Any]]:
    assert nlp is not None  # the session reader, so recording does not build another
    return record_exchanges()


@pytest.mark.parametrize("name", SPEC_NAMES)
def test_stored_example_names_current_versions(fresh: dict[str, dict[str, Any]], name: str) -> None:
    spec = next(s for s in example_specs() if s.name == name)
    spec.response_model.model_validate(fresh[name]["response"])
    stored = _versions(load_example(name)["response"])
    current = _versions(fresh[name]["response"])
    assert stored == current, "stale example: run `python -m api.examples`"
