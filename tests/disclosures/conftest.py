"""EFRAG's VSME files from ../shared/data/vsme, and the seeded demo."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command

from disclosures.taxonomy import TAXONOMY_FILE, TEMPLATE_FILE, UNITS_FILE

VSME_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "vsme"


@pytest.fixture
def vsme_files(settings) -> Path:
    """Point the exports at EFRAG's files (the project does not ship them)."""
    if not (VSME_DIR / TEMPLATE_FILE).is_file():
        pytest.skip(f"EFRAG's VSME files not found at {VSME_DIR}")
    settings.VSME_DATA_DIR = VSME_DIR
    return VSME_DIR


@pytest.fixture
def vsme_taxonomy(vsme_files) -> dict:
    return json.loads((vsme_files / TAXONOMY_FILE).read_text(encoding="utf-8"))


@pytest.fixture
def units_registry(vsme_files) -> dict:
    data = json.loads((vsme_files / UNITS_FILE).read_text(encoding="utf-8"))
    return {unit["unitId"]: unit for unit in data["utr"]}


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)


@pytest.fixture
def api_for():
    """Return a function giving an API client authenticated by a real token."""
    from rest_framework.test import APIClient

    from api.models import ApiToken

    def make(user):
        client = APIClient()
        _token, raw = ApiToken.issue(user=user, name="tests")
        client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
        return client

    return make
