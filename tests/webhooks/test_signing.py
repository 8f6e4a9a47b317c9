import hashlib
import hmac

from tests.fakes.webhook_receiver import readme_verify_signature
from webhooks.signing import SECRET_START, new_secret, sign, verify

SECRET = "whsec_test"
BODY = b'{"id": "x"}'
NOW = 1_700_000_000


def test_the_signature_is_an_hmac_of_the_timestamp_and_the_body():
    expected = hmac.new(SECRET.encode(), b'1700000000.{"id": "x"}', hashlib.sha256).hexdigest()
    assert sign(SECRET, NOW, BODY) == f"t=1700000000,v1={expected}"


def test_a_signature_verifies_with_the_same_secret_and_body():
    assert verify(SECRET, sign(SECRET, NOW, BODY), BODY, now=NOW + 10)


def test_a_changed_body_does_not_verify():
    assert not verify(SECRET, sign(SECRET, NOW, BODY), b'{"id": "y"}', now=NOW)


def test_another_secret_does_not_verify():
    assert not verify("whsec_other", sign(SECRET, NOW, BODY), BODY, now=NOW)


def test_a_signature_older_than_the_tolerance_does_not_verify():
    assert not verify(SECRET, sign(SECRET, NOW, BODY), BODY, now=NOW + 301)


def test_a_changed_timestamp_does_not_verify():
    header = sign(SECRET, NOW, BODY).replace("t=1700000000", "t=1700000100")
    assert not verify(SECRET, header, BODY, now=NOW + 100)


def test_a_malformed_header_does_not_verify():
    for header in ("", "garbage", "t=,v1=", "v1=abc", "t=abc,v1=def", "t=-5,v1=00"):
        assert not verify(SECRET, header, BODY, now=NOW)


def test_the_readme_example_verifies_what_the_app_signs(monkeypatch):
    verify_signature = readme_verify_signature()
    monkeypatch.setattr("time.time", lambda: NOW + 5)
    assert verify_signature(SECRET, BODY, sign(SECRET, NOW, BODY))
    assert not verify_signature(SECRET, BODY + b" ", sign(SECRET, NOW, BODY))
    assert not verify_signature(SECRET, BODY, sign(SECRET, NOW - 400, BODY))
    assert not verify_signature(SECRET, BODY, "nonsense")


def test_each_secret_is_new_and_says_what_it_is():
    first, second = new_secret(), new_secret()
    assert first != second and first.startswith(SECRET_START) and len(first) > 40
