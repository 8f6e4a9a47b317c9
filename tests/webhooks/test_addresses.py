import pytest

from webhooks import addresses
from webhooks.addresses import RefusedURL, check_url, is_public


@pytest.fixture
def dns(monkeypatch):
    """A resolver answering from a dictionary instead of the network."""
    names: dict[str, list[str]] = {}

    def resolve(host: str, port: int) -> list[str]:
        if host in names:
            return names[host]
        if ":" in host or host.replace(".", "").isdigit():
            return [host]
        raise RefusedURL(f"The name {host} could not be found.", lasting=False)

    monkeypatch.setattr(addresses, "resolve", resolve)
    return names


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.20",
        "169.254.169.254",  # cloud metadata service
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",  # noqa: S104 - an address to refuse, not one to bind
        "224.0.0.1",
        "240.0.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "::",
        "::ffff:127.0.0.1",
        "ff02::1",
    ],
)
def test_non_public_addresses_are_not_public(address):
    assert not is_public(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111"])
def test_internet_addresses_are_public(address):
    assert is_public(address)


def test_a_name_resolving_to_public_addresses_is_allowed(dns):
    dns["hooks.example.com"] = ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]
    target = check_url("https://hooks.example.com/in", allow_private=False)
    assert target.host == "hooks.example.com"
    assert target.addresses == ("93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c")


def test_a_name_with_any_private_address_is_refused(dns):
    dns["mixed.example.com"] = ["93.184.215.14", "10.0.0.5"]
    with pytest.raises(RefusedURL, match="10.0.0.5"):
        check_url("https://mixed.example.com/in", allow_private=False)


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]:8443/hook",
        "https://[::ffff:10.0.0.1]/hook",
    ],
)
def test_private_address_literals_are_refused(dns, url):
    with pytest.raises(RefusedURL, match="public internet") as refused:
        check_url(url, allow_private=False)
    assert refused.value.lasting


def test_the_real_resolver_sees_localhost_as_loopback():
    with pytest.raises(RefusedURL, match="public internet"):
        check_url("https://localhost/hook", allow_private=False)


def test_plain_http_is_refused(dns):
    with pytest.raises(RefusedURL, match="https://"):
        check_url("http://93.184.215.14/hook", allow_private=False)


@pytest.mark.parametrize("url", ["ftp://93.184.215.14/x", "file:///etc/passwd", "gopher://93.184.215.14/"])
def test_other_schemes_are_refused_even_when_private_addresses_are_allowed(dns, url):
    with pytest.raises(RefusedURL):
        check_url(url, allow_private=True)


def test_the_operator_setting_allows_private_addresses_and_http(dns):
    target = check_url("http://192.168.1.20:8080/hook", allow_private=True)
    assert target.addresses == ("192.168.1.20",)


def test_a_name_that_does_not_resolve_is_refused_for_now(dns):
    with pytest.raises(RefusedURL, match="could not be found") as refused:
        check_url("https://nowhere.example.invalid/hook", allow_private=False)
    assert not refused.value.lasting


def test_an_address_without_a_host_is_refused(dns):
    with pytest.raises(RefusedURL, match="no host"):
        check_url("https:///hook", allow_private=False)
