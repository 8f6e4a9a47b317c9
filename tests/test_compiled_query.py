"""A query compiled once per shape returns what its queryset returns (config/compiled_query.py)."""

import pytest
from django.db import connection
from django.db.models import Value
from django.test.utils import CaptureQueriesContext

from assessments.models import Team
from config.compiled_query import CompiledQuery
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def teams_of(organisation_id: int, team_ids: list[int]):
    return (
        Team.objects.filter(organisation_id=organisation_id, pk__in=team_ids)
        .order_by("pk")
        .values_list("pk", "name", "tags", Value("constant"))
    )


@pytest.fixture
def organisation():
    return OrganisationFactory()


@pytest.fixture
def teams(organisation):
    names = ("Fraud", "Pricing", "Search")
    return [Team.objects.create(organisation=organisation, name=name, slug=name.lower(), tags=[name]) for name in names]


def test_rows_are_the_querysets_rows_for_every_shape_and_value(teams, organisation):
    query = CompiledQuery(teams_of)
    ids = [team.pk for team in teams]
    for team_ids in (ids, ids[:1], ids[1:], [ids[2], ids[0]], [], [-1]):
        for organisation_id in (organisation.pk, organisation.pk + 1000):
            expected = [tuple(row) for row in teams_of(organisation_id, team_ids)]
            assert query.rows(organisation_id=organisation_id, team_ids=team_ids) == expected
    # Values are converted as Django converts them: the tags column is a list, not its JSON text.
    assert query.rows(organisation_id=organisation.pk, team_ids=ids[:1]) == [(ids[0], "Fraud", ["Fraud"], "constant")]


def test_a_shape_is_compiled_once_and_then_runs_one_query_with_no_compiling(teams, organisation, monkeypatch):
    query = CompiledQuery(teams_of)
    ids = [team.pk for team in teams]
    query.rows(organisation_id=organisation.pk, team_ids=ids[:2])
    monkeypatch.setattr(Team.objects, "filter", lambda *args, **kwargs: pytest.fail("built the queryset again"))
    with CaptureQueriesContext(connection) as queries:
        rows = query.rows(organisation_id=organisation.pk, team_ids=ids[1:])
    assert len(queries) == 1
    assert [row[1] for row in rows] == ["Pricing", "Search"]


def test_an_argument_the_sql_does_not_take_as_a_parameter_is_refused(organisation):
    # A query that ignored a value would otherwise run for every value as it was compiled for the first.
    query = CompiledQuery(lambda organisation_id, team_id: Team.objects.filter(organisation_id=organisation_id))
    with pytest.raises(ValueError, match="team_id"):
        query.rows(organisation_id=organisation.pk, team_id=1)


def test_a_number_no_key_can_be_matches_nothing_as_in_djangos_lookups(teams, organisation):
    # Not asked of the database at all: SQLite's driver (`make run`) refuses a number beyond 64 bits.
    query = CompiledQuery(teams_of)
    ids = [team.pk for team in teams]
    with CaptureQueriesContext(connection) as queries:
        assert query.rows(organisation_id=2**70, team_ids=ids) == []
    assert len(queries) == 0
    assert [row[0] for row in query.rows(organisation_id=organisation.pk, team_ids=[ids[0], -(2**70)])] == ids[:1]
