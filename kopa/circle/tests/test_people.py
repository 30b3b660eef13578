"""The people of the circle: who sees profiles, relayed messages, limits and blocking."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from kopa.accounts.models import Membership
from kopa.accounts.tests.factories import make_member, make_organisation, make_user
from kopa.circle import services
from kopa.circle.models import CircleMessage, MemberProfile
from kopa.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    return make_organisation()


def make_profile(user, **fields) -> MemberProfile:
    values = {"role": "Librarian", "region": "Valmiera", "languages": ["lv", "uk"]}
    values.update(fields)
    return services.profile_save(actor=user, **values)


@pytest.fixture
def olena(organisation):
    user = make_member(organisation, full_name="Olena Koval", email="olena@example.org")
    return make_profile(user, expertise={"uk": "Юридичні питання"}, offers_peer_support=True)


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("outsider", 403), ("member", 200), ("project-admin", 200)],
)
@pytest.mark.parametrize("page", ["", "me/", "{profile}/", "{profile}/write/"])
def test_profiles_are_for_logged_in_circle_members_only(
    client, olena, organisation, who, status, page
):
    if who == "outsider":
        client.force_login(make_user())
    elif who == "member":
        client.force_login(make_member(make_organisation()))
    elif who == "project-admin":
        client.force_login(make_user(is_project_admin=True))
    response = client.get(f"/en/directory/people/{page.format(profile=olena.pk)}")
    assert response.status_code == status
    if who == "anonymous":
        assert "/accounts/login/" in response["Location"]


def test_the_list_filters_by_language_region_and_shoulder(client, olena, organisation):
    other = make_member(organisation, full_name="Mart Tamm")
    make_profile(other, languages=["et"], region="Kärdla")
    hidden = make_member(organisation, full_name="Hidden Person")
    make_profile(hidden, visible=False)
    client.force_login(make_member(organisation))
    everyone = client.get("/en/directory/people/").text
    assert "Olena Koval" in everyone and "Mart Tamm" in everyone
    assert "Hidden Person" not in everyone
    assert "Mart Tamm" not in client.get("/en/directory/people/?language=uk").text
    assert "Olena Koval" not in client.get("/en/directory/people/?region=K%C3%A4rdla").text
    shoulders = client.get("/en/directory/people/?shoulder=on").text
    assert "Olena Koval" in shoulders and "Mart Tamm" not in shoulders
    # An unknown filter value never fails the page.
    assert client.get("/en/directory/people/?language=xx&region=%3Cb%3E").status_code == 200


def test_a_hidden_profile_is_not_found_except_by_its_owner(client, organisation):
    owner = make_member(organisation)
    profile = make_profile(owner, visible=False)
    client.force_login(make_member(organisation))
    assert client.get(f"/en/directory/people/{profile.pk}/").status_code == 404
    assert client.get("/en/directory/people/not-a-uuid/").status_code == 404
    client.force_login(owner)
    assert "only you see it" in client.get(f"/en/directory/people/{profile.pk}/").text


def test_a_member_writes_a_profile_and_it_is_audited(client, organisation):
    user = make_member(organisation)
    client.force_login(user)
    response = client.post(
        "/en/directory/people/me/",
        {
            "organisation": organisation.pk,
            "role": "Social worker <b>",
            "expertise_2": "Housing <script>alert(1)</script>",
            "original_language": "en",
            "languages": ["ru", "lv"],
            "region": "Valmiera",
            "offers_peer_support": "on",
            "visible": "on",
            "accepts_messages": "on",
        },
    )
    profile = MemberProfile.objects.get(user=user)
    assert response.status_code == 302
    assert profile.language_codes == ["lv", "ru"]
    page = client.get(f"/en/directory/people/{profile.pk}/").text
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    assert "Social worker &lt;b&gt;" in page
    entry = AuditEntry.objects.get(action="circle.profile.created")
    assert entry.actor == user and "region" in entry.data["fields"]


def test_a_profile_names_only_ones_own_organisation(organisation):
    user = make_member(organisation)
    with pytest.raises(ValidationError):
        make_profile(user, organisation=make_organisation())


def test_a_person_deletes_their_profile(client, olena):
    client.force_login(olena.user)
    client.post("/en/directory/people/me/", {"delete": "1"})
    assert not MemberProfile.objects.filter(pk=olena.pk).exists()
    assert AuditEntry.objects.filter(action="circle.profile.deleted").count() == 1


def write(client, profile, body="Could you help with a lease in Valmiera?", **extra):
    return client.post(f"/en/directory/people/{profile.pk}/write/", {"body": body, **extra})


def test_a_relayed_message_never_shows_the_recipients_address(
    client, olena, organisation, django_capture_on_commit_callbacks
):
    sender = make_member(organisation, full_name="Jānis Bērziņš", email="janis@example.org")
    client.force_login(sender)
    with django_capture_on_commit_callbacks(execute=True):
        response = write(client, olena)
    assert response.status_code == 302
    (sent,) = mail.outbox
    assert sent.to == ["olena@example.org"]
    assert sent.reply_to == []
    assert "janis@example.org" not in sent.body + sent.subject + str(sent.extra_headers)
    assert "Jānis Bērziņš" in sent.subject and "lease in Valmiera" in sent.body
    # The sender's pages never show the recipient's address either.
    assert "olena@example.org" not in client.get(f"/en/directory/people/{olena.pk}/").text
    assert "olena@example.org" not in response.text
    message = CircleMessage.objects.get()
    assert (message.sender, message.recipient, message.status) == (sender, olena.user, "relayed")
    # Who, to whom and when; not the text.
    assert not any("lease" in str(getattr(message, f.attname)) for f in message._meta.fields)
    entry = AuditEntry.objects.get(action="circle.message.relayed")
    assert entry.actor == sender and "lease" not in str(entry.data)


def test_the_sender_may_share_their_address_as_reply_to(
    client, olena, organisation, django_capture_on_commit_callbacks
):
    sender = make_member(organisation, email="janis@example.org")
    client.force_login(sender)
    with django_capture_on_commit_callbacks(execute=True):
        write(client, olena, share_address="on")
    (sent,) = mail.outbox
    assert sent.reply_to == ["janis@example.org"]
    assert "olena@example.org" not in str(sent.reply_to)


def test_messages_are_rate_limited_with_a_friendly_429(
    client, olena, organisation, django_capture_on_commit_callbacks
):
    client.force_login(make_member(organisation))
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            assert write(client, olena).status_code == 302
        refused = write(client, olena)
    assert refused.status_code == 429
    assert "Please wait an hour" in refused.text
    assert CircleMessage.objects.count() == 5 and len(mail.outbox) == 5


def test_a_person_can_block_messages(client, olena, organisation):
    services.profile_save(
        actor=olena.user, languages=["uk"], accepts_messages=False, original_language="uk"
    )
    client.force_login(make_member(organisation))
    response = write(client, olena)
    assert response.status_code == 403
    assert "does not receive messages" in response.text
    assert CircleMessage.objects.count() == 0 and mail.outbox == []
    with pytest.raises(services.MessageRefused):
        services.message_send(
            sender=make_member(organisation), profile=olena, body="hi", share_address=False
        )


def test_one_cannot_write_to_oneself_or_send_an_empty_message(client, olena, organisation):
    client.force_login(olena.user)
    assert write(client, olena).status_code == 403
    client.force_login(make_member(organisation))
    empty = write(client, olena, body="   ")
    assert empty.status_code == 200 and "This field is required" in empty.text
    assert CircleMessage.objects.count() == 0


def test_a_non_member_cannot_send_through_the_service(olena):
    with pytest.raises(PermissionDenied):
        services.message_send(sender=make_user(), profile=olena, body="hello", share_address=False)


def test_an_editor_role_also_counts_as_a_circle_member(client, olena, organisation):
    client.force_login(make_member(organisation, Membership.Role.EDITOR))
    assert client.get(f"/en/directory/people/{olena.pk}/").status_code == 200


def test_the_people_list_reads_in_a_fixed_number_of_queries(client, organisation):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    viewer = make_member(organisation)
    client.force_login(viewer)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/en/directory/people/?language=lv").status_code == 200
        return len(captured)

    make_profile(make_member(organisation), organisation=organisation)
    few = queries()
    for _ in range(8):
        make_profile(make_member(organisation), organisation=organisation)
    assert queries() == few
