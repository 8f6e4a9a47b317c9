"""Counting the room's votes, without a database."""

from workshops.tally import Tally, VoteCount, tally_votes


def votes(practice_id, *levels, na=0):
    rows = [VoteCount(practice_id, level, False, 1) for level in levels]
    return rows + ([VoteCount(practice_id, None, True, na)] if na else [])


def test_votes_are_counted_per_level_and_not_applicable():
    [tally] = tally_votes(votes(7, 1, 1, 3, na=2), [7]).values()
    assert tally.counts == (0, 2, 0, 1, 0)
    assert tally.not_applicable == 2
    assert tally.answered == 5


def test_two_levels_apart_is_a_disagreement_and_one_is_not():
    assert tally_votes(votes(1, 1, 3), [1])[1].disagrees
    assert not tally_votes(votes(1, 2, 3, 3), [1])[1].disagrees


def test_not_applicable_votes_do_not_widen_the_spread():
    tally = tally_votes(votes(1, 4, na=3), [1])[1]
    assert tally.spread == 0 and not tally.disagrees


def test_the_suggestion_is_the_level_with_the_most_votes():
    assert tally_votes(votes(1, 3, 3, 1), [1])[1].suggestion == 3
    assert tally_votes([], [1])[1].suggestion is None


def test_a_tie_suggests_no_level_and_names_the_tied_levels():
    tally = tally_votes(votes(1, 0, 3), [1])[1]
    assert (tally.suggestion, tally.is_tied, tally.leaders) == (None, True, (0, 3))
    assert not tally_votes(votes(1, 2), [1])[1].is_tied


def test_practices_without_votes_get_an_empty_tally_and_unknown_practices_are_ignored():
    tallies = tally_votes(votes(99, 2), [1, 2])
    assert tallies == {1: Tally(1, (0, 0, 0, 0, 0), 0), 2: Tally(2, (0, 0, 0, 0, 0), 0)}


def test_shares_are_percentages_of_level_votes():
    tally = tally_votes(votes(1, 0, 0, 0, 4, na=5), [1])[1]
    assert [tally.share(level) for level in range(5)] == [75, 0, 0, 0, 25]
