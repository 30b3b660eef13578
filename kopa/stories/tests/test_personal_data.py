import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kopa.accounts.tests.factories import make_organisation
from kopa.programme.tests.factories import make_notice
from kopa.stories import services
from kopa.stories.models import Consent, Teller
from kopa.stories.personal_data import erase_personal_data, personal_data
from kopa.stories.tests.conftest import stored_files
from kopa.stories.tests.factories import make_editor, make_public_story, make_teller

pytestmark = pytest.mark.django_db


def test_a_tellers_data_is_listed_and_erased_by_withdrawing_and_anonymising(
    client, media_root, django_capture_on_commit_callbacks
):
    organisation = make_organisation()
    editor = make_editor(organisation)
    teller = make_teller(organisation, name="Oksana Example", email="oksana@example.org")
    story = make_public_story(editor=editor, organisation=organisation, teller=teller)
    services.consent_record(
        actor=editor,
        story=story,
        given_by=Consent.GivenBy.TELLER,
        given_by_name="Oksana Example",
        given_on=story.consent.given_on,
        method=Consent.Method.FORM,
        form_upload=SimpleUploadedFile("form.pdf", b"%PDF-1.4 signed"),
        scopes=services.SCOPES,
        notice=make_notice(),
    )
    data = personal_data(email="Oksana@Example.org", user=None)
    assert data["Story tellers"][0]["name"] == "Oksana Example"
    assert len(data["Stories told"]) == 1
    assert len(data["Consents to publish stories"]) == 2
    assert client.get(story.get_absolute_url()).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        done = erase_personal_data(email="oksana@example.org", user=None)
    assert done == {"consents withdrawn": 2, "consent forms deleted": 1, "tellers anonymised": 1}
    teller = Teller.objects.get(pk=teller.pk)
    assert (teller.naming, teller.name, teller.email) == ("anonymous", "", "")
    assert set(Consent.objects.values_list("given_by_name", flat=True)) == {""}
    assert not Consent.objects.filter(withdrawn_at__isnull=True).exists()
    assert client.get(story.get_absolute_url()).status_code == 404
    assert stored_files(media_root) == []
    assert personal_data(email="oksana@example.org", user=None)["Story tellers"] == []
