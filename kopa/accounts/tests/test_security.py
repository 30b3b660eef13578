"""Login throttling, the two-step login, log out everywhere and the session's age."""

from __future__ import annotations

import re
import time
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from kopa.accounts import services, throttle, totp
from kopa.accounts.models import RecoveryCode, TwoFactorDevice
from kopa.accounts.tests.factories import PASSWORD, make_user
from kopa.core import security
from kopa.core.models import AuditEntry

pytestmark = pytest.mark.django_db

LOGIN = "/en/accounts/login/"
CODE = "/en/accounts/two-factor/code/"
SETUP = "/en/accounts/two-factor/"


def _log_in(client, email, password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": email, "password": password}, **extra)


def _enable_two_factor(user) -> tuple[str, list[str]]:
    secret = totp.new_secret()
    # The step before now: the login's code (the current step) is then still unused.
    codes = services.two_factor_enable(
        actor=user, secret=secret, code=totp.code_at(secret, time.time() - totp.STEP_SECONDS)
    )
    return secret, codes


# --- Throttling -------------------------------------------------------------------------------


def test_it_refuses_the_eleventh_login_to_one_account_within_a_quarter_hour(client):
    user = make_user()
    for _ in range(throttle.LOGIN_ATTEMPTS_PER_ACCOUNT):
        assert _log_in(client, user.email, "wrong").status_code == 200
    refused = _log_in(client, user.email, PASSWORD)
    assert refused.status_code == 429
    assert "too many attempts to log in" in refused.text
    assert "_auth_user_id" not in client.session


def test_a_throttled_unknown_account_gets_the_same_answer_as_a_known_one(client):
    user = make_user()
    for email in (user.email, "nobody@example.org"):
        for _ in range(throttle.LOGIN_ATTEMPTS_PER_ACCOUNT):
            _log_in(Client(), email, "wrong")
    known = _log_in(Client(), user.email, "wrong")
    unknown = _log_in(Client(), "nobody@example.org", "wrong")
    assert known.status_code == unknown.status_code == 429
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"|value="[^"]*@example.org"')
    assert strip.sub("", known.text) == strip.sub("", unknown.text)


def test_the_account_limit_ignores_the_case_of_the_address(client):
    user = make_user(email="anna@example.org")
    for _ in range(throttle.LOGIN_ATTEMPTS_PER_ACCOUNT):
        _log_in(Client(REMOTE_ADDR="10.0.0.1"), "ANNA@example.org", "wrong")
    assert _log_in(Client(REMOTE_ADDR="10.0.0.2"), user.email).status_code == 429


def test_one_address_is_limited_across_accounts():
    people = [make_user() for _ in range(3)]
    with mock.patch.object(throttle, "LOGIN_ATTEMPTS_PER_ADDRESS", 4):
        answers = [_log_in(Client(), people[n % 3].email, "wrong").status_code for n in range(5)]
        other_address = _log_in(Client(REMOTE_ADDR="10.9.9.9"), people[0].email)
    assert answers == [200, 200, 200, 200, 429]
    assert other_address.status_code == 302


def test_the_throttle_message_is_in_the_pages_language(client):
    user = make_user()
    with mock.patch.object(throttle, "LOGIN_ATTEMPTS_PER_ACCOUNT", 1):
        client.post("/lv/accounts/login/", {"username": user.email, "password": "wrong"})
        response = client.post(
            "/lv/accounts/login/", {"username": user.email, "password": PASSWORD}
        )
    assert response.status_code == 429
    assert '<html lang="lv">' in response.text
    assert "Pārāk daudz" in response.text or "pārāk daudz" in response.text


# --- Two-step login ---------------------------------------------------------------------------


def test_with_two_step_login_the_password_alone_does_not_log_in(client):
    user = make_user()
    _enable_two_factor(user)
    response = _log_in(client, user.email)
    assert response.status_code == 302
    assert response["Location"] == CODE
    assert "_auth_user_id" not in client.session
    assert client.get("/en/accounts/profile/").status_code == 302


def test_the_current_code_completes_the_login_and_goes_where_asked(client):
    user = make_user()
    secret, _codes = _enable_two_factor(user)
    client.post(LOGIN, {"username": user.email, "password": PASSWORD, "next": "/en/programme/"})
    page = client.get(CODE)
    assert page.status_code == 200 and 'autocomplete="one-time-code"' in page.text
    response = client.post(CODE, {"code": totp.code_at(secret, time.time())})
    assert response.status_code == 302 and response["Location"] == "/en/programme/"
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_wrong_code_keeps_the_person_out_and_a_used_code_cannot_be_replayed(client):
    user = make_user()
    secret, _codes = _enable_two_factor(user)
    code = totp.code_at(secret, time.time())
    _log_in(client, user.email)
    wrong = client.post(CODE, {"code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 200 and "does not match" in wrong.text
    assert client.post(CODE, {"code": code}).status_code == 302
    other = Client()
    _log_in(other, user.email)
    assert other.post(CODE, {"code": code}).status_code == 200
    assert "_auth_user_id" not in other.session


def test_a_recovery_code_works_once_and_is_audited(client):
    user = make_user()
    _secret, codes = _enable_two_factor(user)
    assert len(codes) == services.RECOVERY_CODE_COUNT
    _log_in(client, user.email)
    assert client.post(CODE, {"code": codes[0].upper()}).status_code == 302
    entry = AuditEntry.objects.get(action="accounts.two_factor.recovery_code_used")
    assert entry.data == {"left": services.RECOVERY_CODE_COUNT - 1}
    again = Client()
    _log_in(again, user.email)
    assert again.post(CODE, {"code": codes[0]}).status_code == 200


def test_recovery_codes_are_stored_only_as_salted_hashes():
    user = make_user()
    _secret, codes = _enable_two_factor(user)
    stored = list(RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True))
    assert len(set(stored)) == len(codes)
    for code in codes:
        assert not any(code.replace("-", "") in value for value in stored)


def test_code_guessing_is_limited(client):
    user = make_user()
    secret, _codes = _enable_two_factor(user)
    _log_in(client, user.email)
    for _ in range(throttle.CODE_ATTEMPTS_PER_ACCOUNT):
        client.post(CODE, {"code": "000000"})
    refused = client.post(CODE, {"code": totp.code_at(secret, time.time())})
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_second_step_expires_after_five_minutes(client):
    user = make_user()
    secret, _codes = _enable_two_factor(user)
    _log_in(client, user.email)
    later = time.time() + 6 * 60
    with mock.patch("kopa.accounts.two_factor.time.time", return_value=later):
        response = client.post(CODE, {"code": totp.code_at(secret, later)})
    assert response.status_code == 200
    assert "within five minutes" in response.text
    assert "_auth_user_id" not in client.session


def test_the_code_page_without_a_password_step_asks_to_log_in(client):
    response = client.get(CODE)
    assert response.status_code == 200
    assert 'href="/en/accounts/login/"' in response.text
    assert 'name="code"' not in response.text


def test_setting_up_shows_a_qr_code_and_a_confirming_code_turns_it_on(client):
    user = make_user()
    client.force_login(user)
    page = client.get(SETUP)
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in page.text
    secret = client.session["kopa_two_factor_setup"]
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in page.text
    wrong = client.post(SETUP, {"code": "12345"})
    assert wrong.status_code == 200 and not TwoFactorDevice.objects.filter(user=user).exists()
    response = client.post(SETUP, {"code": totp.code_at(secret, time.time())})
    assert response.status_code == 200
    assert len(re.findall(r"<code>[a-z0-9]{5}-[a-z0-9]{5}</code>", response.text)) == 10
    assert TwoFactorDevice.objects.get(user=user).secret == secret
    assert "kopa_two_factor_setup" not in client.session
    assert AuditEntry.objects.filter(action="accounts.two_factor.enabled").count() == 1


def test_turning_it_off_needs_the_password_and_a_code(client):
    user = make_user()
    secret, codes = _enable_two_factor(user)
    client.force_login(user)
    no_password = client.post(
        "/en/accounts/two-factor/off/",
        {"off-password": "wrong", "off-code": totp.code_at(secret, time.time())},
    )
    assert no_password.status_code == 200 and "incorrect" in no_password.text
    no_code = client.post(
        "/en/accounts/two-factor/off/", {"off-password": PASSWORD, "off-code": "000000"}
    )
    assert no_code.status_code == 200
    assert TwoFactorDevice.objects.filter(user=user).exists()
    response = client.post(
        "/en/accounts/two-factor/off/", {"off-password": PASSWORD, "off-code": codes[3]}
    )
    assert response.status_code == 302
    assert not TwoFactorDevice.objects.filter(user=user).exists()
    assert not RecoveryCode.objects.filter(user=user).exists()
    assert AuditEntry.objects.filter(action="accounts.two_factor.disabled").count() == 1


def test_new_recovery_codes_replace_the_old_ones(client):
    user = make_user()
    _secret, codes = _enable_two_factor(user)
    client.force_login(user)
    response = client.post(
        "/en/accounts/two-factor/recovery-codes/",
        {"renew-password": PASSWORD, "renew-code": codes[0]},
    )
    assert response.status_code == 200
    new_codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", response.text)
    assert len(new_codes) == 10 and not set(new_codes) & set(codes)
    _log_in(Client(), user.email)
    stale = Client()
    _log_in(stale, user.email)
    assert stale.post(CODE, {"code": codes[1]}).status_code == 200
    fresh = Client()
    _log_in(fresh, user.email)
    assert fresh.post(CODE, {"code": new_codes[1]}).status_code == 302


def test_the_two_step_pages_need_a_login(client):
    assert client.get(SETUP)["Location"].startswith("/en/accounts/login/")
    assert client.post("/en/accounts/two-factor/off/").status_code == 302
    assert client.get("/en/accounts/two-factor/off/").status_code in (302, 405)


# --- Log out everywhere, session age ----------------------------------------------------------


def test_log_out_everywhere_ends_every_session_of_the_person_only():
    user, other = make_user(), make_user()
    laptop, phone, someone_else = Client(), Client(), Client()
    for client, person in ((laptop, user), (phone, user), (someone_else, other)):
        assert _log_in(client, person.email).status_code == 302
    response = laptop.post("/en/accounts/logout-everywhere/")
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert phone.get("/en/accounts/profile/").status_code == 302
    assert laptop.get("/en/accounts/profile/").status_code == 302
    assert someone_else.get("/en/accounts/profile/").status_code == 200
    assert AuditEntry.objects.filter(
        action="accounts.user.sessions_ended", target_id=str(user.pk)
    ).exists()
    again = Client()
    assert _log_in(again, user.email).status_code == 302
    assert again.get("/en/accounts/profile/").status_code == 200


def test_log_out_everywhere_is_a_post_only_button_on_the_profile(client):
    client.force_login(make_user())
    page = client.get("/en/accounts/profile/")
    assert 'action="/en/accounts/logout-everywhere/"' in page.text
    assert client.get("/en/accounts/logout-everywhere/").status_code == 405


def test_a_session_idle_too_long_is_logged_out(client, settings):
    user = make_user()
    _log_in(client, user.email)
    later = time.time() + settings.KOPA_SESSION_IDLE_SECONDS + 5
    with mock.patch.object(security.time, "time", return_value=later):
        assert client.get("/en/accounts/profile/").status_code == 302


def test_activity_keeps_a_session_alive_until_its_absolute_age(client, settings):
    settings.KOPA_SESSION_IDLE_SECONDS = 600
    settings.KOPA_SESSION_MAX_SECONDS = 1500
    user = make_user()
    start = time.time()
    with mock.patch.object(security.time, "time", return_value=start):
        _log_in(client, user.email)
    for minutes in (8, 16, 24):
        with mock.patch.object(security.time, "time", return_value=start + minutes * 60):
            assert client.get("/en/accounts/profile/").status_code == 200, minutes
    with mock.patch.object(security.time, "time", return_value=start + 26 * 60):
        assert client.get("/en/accounts/profile/").status_code == 302


# --- The administration's login -----------------------------------------------------------------


def test_the_administration_logs_in_through_the_sites_login_page(client):
    response = client.get("/en/admin/login/?next=/en/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/login/?next=/en/admin/"
    posted = client.post("/en/admin/login/", {"username": "x@example.org", "password": "x"})
    assert posted.status_code == 302 and posted["Location"].startswith("/en/accounts/login/")


def test_a_project_admin_with_two_step_login_cannot_skip_the_code_through_the_admin(client):
    admin = make_user(is_project_admin=True)
    _enable_two_factor(admin)
    client.post("/en/admin/login/", {"username": admin.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert client.get("/en/admin/").status_code == 302


def test_someone_without_the_right_gets_403_not_a_loop_between_login_pages(client):
    client.force_login(make_user())
    assert client.get("/en/admin/").status_code == 302
    assert client.get("/en/admin/login/?next=/en/admin/").status_code == 403


def test_a_logged_in_project_admin_goes_on_to_the_administration(client):
    client.force_login(make_user(is_project_admin=True))
    response = client.get("/en/admin/login/?next=https://evil.example/")
    assert response.status_code == 302 and response["Location"] == "/en/admin/"


def test_a_project_admin_turns_off_a_persons_two_step_login_from_the_administration(client):
    admin = make_user(is_project_admin=True)
    person = make_user()
    _enable_two_factor(person)
    phone = Client()
    phone.force_login(person)
    client.force_login(admin)
    response = client.post(
        "/en/admin/accounts/user/",
        {"action": "turn_off_two_step_login", "_selected_action": [person.pk]},
    )
    assert response.status_code == 302
    assert not TwoFactorDevice.objects.filter(user=person).exists()
    assert not RecoveryCode.objects.filter(user=person).exists()
    assert phone.get("/en/accounts/profile/").status_code == 302
    entry = AuditEntry.objects.get(action="accounts.two_factor.reset")
    assert entry.actor == admin and entry.target_id == str(person.pk)


def test_only_a_project_admin_may_turn_off_someone_elses_two_step_login():
    person = make_user()
    _enable_two_factor(person)
    with pytest.raises(PermissionDenied):
        services.two_factor_reset(actor=make_user(), user=person)
    assert TwoFactorDevice.objects.filter(user=person).exists()


@pytest.mark.parametrize("weak", ["12345678901", "password123", "short7", "Person-Example"])
def test_weak_new_passwords_are_refused(client, weak):
    user = make_user(full_name="Person Example", email="person.example@example.org")
    client.force_login(user)
    response = client.post(
        "/en/accounts/password/",
        {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak},
    )
    assert response.status_code == 200
    assert 'class="errorlist"' in response.text
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_reset_mail_is_limited_per_address_without_saying_whether_it_exists(client):
    from django.core import mail

    user = make_user()
    for _ in range(throttle.RESETS_PER_EMAIL):
        assert client.post("/en/accounts/password-reset/", {"email": user.email}).status_code == 302
    refused = client.post("/en/accounts/password-reset/", {"email": user.email})
    unknown = Client()
    for _ in range(throttle.RESETS_PER_EMAIL):
        unknown.post("/en/accounts/password-reset/", {"email": "nobody@example.org"})
    refused_unknown = unknown.post("/en/accounts/password-reset/", {"email": "nobody@example.org"})
    assert refused.status_code == refused_unknown.status_code == 429
    assert "Too many password reset messages" in refused.text
    assert len(mail.outbox) == throttle.RESETS_PER_EMAIL
