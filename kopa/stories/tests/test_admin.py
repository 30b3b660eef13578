import pytest

from kopa.accounts.tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_a_project_admin_can_add_a_holiday(client):
    client.force_login(make_user(is_project_admin=True))
    response = client.post(
        "/en/admin/stories/holiday/add/",
        {
            "code": "vastlad",
            "label_1": "Vastlapäev",
            "label_2": "Shrovetide",
            "position": 9,
            "original_language": "et",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    from kopa.stories.models import Holiday

    assert Holiday.objects.get(code="vastlad").label.get("et") == "Vastlapäev"
