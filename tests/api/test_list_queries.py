"""API lists cost the same queries however many items a page holds."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import submitted_assessment

pytestmark = pytest.mark.django_db


def _queries(client, url, headers) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, **headers).status_code == 200
    return len(captured)


def test_the_assessments_list_does_not_grow_with_submitted_assessments(client, team, lead, bearer):
    headers = bearer(lead)
    submitted_assessment(team, lead, title="First")
    _queries(client, "/api/v1/assessments/", headers)  # the token's first use is recorded once
    few = _queries(client, "/api/v1/assessments/", headers)
    for n in range(4):
        submitted_assessment(team, lead, title=f"More {n}")
    assert _queries(client, "/api/v1/assessments/", headers) == few
