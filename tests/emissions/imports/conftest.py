import pytest

from emissions.catalogue import load_activity_types, load_curated_factors


@pytest.fixture
def catalogue(db):
    load_activity_types()
    load_curated_factors()
