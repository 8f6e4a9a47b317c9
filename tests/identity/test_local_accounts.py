"""Local accounts: a second factor for staff, the admin for operators, password change and reset by email."""

import re
import time

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.test import Client
from django.urls import reverse

from identity.services import activate_totp
from identity.totp import DEMO_TOTP_SECRET, totp_code
from tests.factories import PASSWORD, UserFactory
from tests.identity.test_company_sign_in import sign_in

pytestmark = pytest.mark.django_db


def log_in(username: str, password: str = PASSWORD) -> tuple[Client, object]:
    client = Client()
    return client, client.post(reverse("account_login"), {"login": username, "password": password})


def test_staff_without_a_second_factor_reach_no_team_data_and_no_admin_until_they_add_one(client, consultant, team):
    Authenticator.objects.filter(user=consultant).delete()
    client.force_login(consultant)
    for url in (reverse("assessments:team", args=[team.pk]), reverse("assessments:home"), "/admin/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url == reverse("mfa_activate_totp"), url
    assert client.get(reverse("identity:account")).status_code == 200  # where they add it
    activate_totp(user=consultant, secret=DEMO_TOTP_SECRET)
    assert client.get(reverse("assessments:team", args=[team.pk])).status_code == 200


def test_a_member_without_a_second_factor_is_not_held_back(client_for, lead, team):
    assert client_for(lead).get(reverse("assessments:team", args=[team.pk])).status_code == 200


def test_with_a_second_factor_logging_in_asks_for_the_code_and_refuses_a_wrong_one(consultant):
    client, response = log_in(consultant.username)
    assert response.url == reverse("mfa_authenticate")
    assert client.get(reverse("assessments:home")).status_code == 302  # not signed in yet
    wrong = client.post(response.url, {"code": "000000" if totp_code(DEMO_TOTP_SECRET) != "000000" else "111111"})
    assert wrong.status_code == 200 and "Incorrect code" in wrong.text
    right = client.post(response.url, {"code": totp_code(DEMO_TOTP_SECRET)})
    assert right.status_code == 302 and client.get(reverse("assessments:home")).status_code == 200


def test_a_recovery_code_stands_in_for_the_authenticator_once(consultant):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    code = RecoveryCodes.activate(consultant).get_unused_codes()[0]
    client, response = log_in(consultant.username)
    assert client.post(response.url, {"code": code}).status_code == 302
    again, second = log_in(consultant.username)
    assert again.post(second.url, {"code": code}).status_code == 200  # used up


def test_signing_in_with_the_company_provider_needs_no_second_factor_here(client, company_sign_in, team):
    staff = UserFactory(email="alice@example.com", is_staff=True)
    team.organisation.consultants.add(staff)
    sign_in(client, company_sign_in)
    assert int(client.session["_auth_user_id"]) == staff.pk
    assert client.get(reverse("assessments:team", args=[team.pk])).status_code == 200


def test_the_admin_is_for_operators_and_its_login_is_the_apps(client, consultant):
    anonymous = client.get("/admin/login/?next=/admin/")
    assert anonymous.status_code == 302 and anonymous.url.startswith(reverse("account_login"))
    client.force_login(consultant)
    assert client.get("/admin/").status_code == 302  # to the admin's login, which turns staff away:
    assert client.get("/admin/login/").status_code == 403
    operator = UserFactory(is_staff=True, is_superuser=True)
    activate_totp(user=operator, secret=DEMO_TOTP_SECRET)
    client.force_login(operator)
    assert client.get("/admin/").status_code == 200


def test_changing_a_password_needs_the_current_one_and_keeps_what_was_typed(client_for, lead):
    client = client_for(lead)
    url = reverse("account_change_password")
    wrong = client.post(url, {"oldpassword": "not it", "password1": "a-new-long-passphrase", "password2": "x"})
    assert wrong.status_code == 200 and "Please type your current password" in wrong.text
    done = client.post(
        url, {"oldpassword": PASSWORD, "password1": "a-new-long-passphrase", "password2": "a-new-long-passphrase"}
    )
    assert done.status_code == 302
    assert log_in(lead.username, "a-new-long-passphrase")[1].status_code == 302


def _reset_link() -> str:
    [email] = [m for m in mail.outbox if "password" in m.subject.lower()]
    return re.search(r"https?://\S+/password/reset/key/\S+/", email.body).group(0)


def test_a_reset_request_says_the_same_whether_or_not_the_account_exists(client, lead):
    url = reverse("account_reset_password")
    known = client.post(url, {"email": lead.email})
    unknown = Client().post(url, {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302 and known.url == unknown.url
    assert Client().get(known.url).text.count("sent you an email") == 1
    sent_to = {m.to[0] for m in mail.outbox}
    assert sent_to == {lead.email, "nobody@example.com"}  # the unknown address learns it has no account
    assert "/password/reset/key/" not in next(m for m in mail.outbox if m.to == ["nobody@example.com"]).body


def test_a_reset_link_works_once(client, lead):
    client.post(reverse("account_reset_password"), {"email": lead.email})
    link = _reset_link()
    form = client.get(link, follow=True)
    new = {"password1": "reset-and-long-enough", "password2": "reset-and-long-enough"}
    assert client.post(form.redirect_chain[-1][0], new).status_code == 302
    assert log_in(lead.username, "reset-and-long-enough")[1].status_code == 302
    again = Client().get(link, follow=True)
    assert "Bad token" in again.text or "invalid" in again.text.lower()


def test_a_reset_link_expires(client, lead, settings):
    settings.PASSWORD_RESET_TIMEOUT = 1
    client.post(reverse("account_reset_password"), {"email": lead.email})
    link = _reset_link()
    time.sleep(2.1)
    page = client.get(link, follow=True)
    assert 'name="password1"' not in page.text
