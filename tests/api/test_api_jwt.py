"""CDS Hooks client JWTs: issuer allow-list, audience, expiry, shared key and JWKS."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings

ISSUER = "https://ehr.example.org"
SHARED = "s" * 40
SERVICE = "/cds-services/chartready-note-check"
AUDIENCE = "http://testserver" + SERVICE


@pytest.fixture(scope="module")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP384R1())


@pytest.fixture(scope="module")
def jwt_client(
    tmp_path_factory: pytest.TempPathFactory, ec_key: ec.EllipticCurvePrivateKey
) -> Iterator[TestClient]:
    folder: Path = tmp_path_factory.mktemp("jwt")
    public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(ec_key.public_key()))
    jwks = folder / "jwks.json"
    jwks.write_text(json.dumps({"keys": [{**public, "kid": "k1", "alg": "ES384", "use": "sig"}]}))
    settings = Settings(
        database_url=f"sqlite:///{folder / 'db.sqlite3'}",
        cds_jwt_issuers=[ISSUER],
        cds_jwt_shared_key=SHARED,
        cds_jwt_jwks_path=str(jwks),
        cds_jwt_required=True,
    )
    with TestClient(create_app(settings)) as client:
        yield client


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 300,
        "jti": str(uuid.uuid4()),
    }
    claims.update(overrides)
    return claims


def _hs(**overrides: Any) -> str:
    return jwt.encode(_claims(**overrides), SHARED, algorithm="HS256")


BODY = {"hook": "encounter-discharge", "hookInstance": "h1", "context": {"patientId": "p"}}


@pytest.mark.parametrize(
    ("make_token", "status"),
    [
        (lambda k: _hs(), 200),
        (lambda k: jwt.encode(_claims(), k, algorithm="ES384", headers={"kid": "k1"}), 200),
        (lambda k: _hs(iss="https://evil.example"), 401),
        (lambda k: _hs(aud="https://other.example/cds-services/x"), 401),
        (lambda k: _hs(exp=int(time.time()) - 3600), 401),
        (lambda k: jwt.encode(_claims(), "w" * 40, algorithm="HS256"), 401),
        (lambda k: jwt.encode(_claims(), k, algorithm="ES384", headers={"kid": "nope"}), 401),
        (lambda k: "crk_not-a-jwt", 401),
    ],
    ids=["hs256", "es384-jwks", "issuer", "audience", "expired", "bad-signature", "kid", "api-key"],
)
def test_jwt_cds_service_verification(
    jwt_client: TestClient, ec_key: ec.EllipticCurvePrivateKey, make_token: Any, status: int
) -> None:
    token = make_token(ec_key)
    response = jwt_client.post(SERVICE, json=BODY, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == status, response.text
    if status == 200:
        assert response.json() == {"cards": []}


def test_jwt_discovery_needs_no_token(jwt_client: TestClient) -> None:
    assert jwt_client.get("/cds-services").status_code == 200
