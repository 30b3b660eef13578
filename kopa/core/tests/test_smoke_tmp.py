import pytest


@pytest.mark.django_db
def test_home(client):
    r = client.get("/en/")
    assert r.status_code == 200
