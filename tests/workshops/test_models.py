"""A workshop's state, without a database."""

from datetime import timedelta

from django.utils import timezone

from workshops.models import Workshop


def test_a_workshop_is_open_until_it_expires_or_is_closed():
    now = timezone.now()
    assert Workshop(expires_at=now + timedelta(hours=1)).state == "open"
    assert Workshop(expires_at=now - timedelta(seconds=1)).state == "expired"
    assert Workshop(expires_at=now + timedelta(hours=1), closed_at=now).state == "closed"


def test_closing_an_expired_workshop_makes_it_closed():
    now = timezone.now()
    assert Workshop(expires_at=now - timedelta(hours=1), closed_at=now).state == "closed"
