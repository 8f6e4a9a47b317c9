"""Saves to one assessment share a lock on it (PostgreSQL's FOR SHARE): they run side by side, while a submission,
which locks the assessment exclusively, waits until every open save has committed."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import DatabaseError, connection, transaction

from assessments import services
from assessments.models import Answer, Assessment
from tests.factories import answer_every_practice

pytestmark = pytest.mark.django_db(transaction=True)


def _on_another_connection(work):
    """`work` run on a connection of its own, which gives up on a lock after two seconds instead of waiting."""

    def run():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '2s'")
            return work()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result(timeout=30)


def _exclusive_lock_refused(assessment_id: int) -> bool:
    try:
        with transaction.atomic():
            Assessment.objects.select_for_update(nowait=True).filter(pk=assessment_id).exists()
    except DatabaseError:
        return True
    return False


def test_an_open_save_lets_another_save_through_and_holds_the_assessment_against_submission(team, lead):
    assessment = services.create_assessment(team=team, user=lead, title="Busy")
    first, second = answer_every_practice(assessment, lead)[:2]
    saved, release = threading.Event(), threading.Event()

    def open_save():
        try:
            with transaction.atomic():
                services.save_answers(
                    assessment=assessment, user=lead, answers=[services.AnswerInput(first, first.options.all()[4])]
                )
                saved.set()
                release.wait(30)
        finally:
            connection.close()

    holder = threading.Thread(target=open_save)
    holder.start()
    try:
        assert saved.wait(30)
        other = _on_another_connection(
            lambda: services.save_answers(
                assessment=assessment, user=lead, answers=[services.AnswerInput(second, second.options.all()[0])]
            )
        )
        assert [answer.practice_id for answer in other.saved] == [second.pk]
        assert _on_another_connection(lambda: _exclusive_lock_refused(assessment.pk))
    finally:
        release.set()
        holder.join(30)
    assert not _exclusive_lock_refused(assessment.pk)  # committed: the lock is gone
    levels = dict(Answer.objects.filter(assessment=assessment).values_list("practice_id", "option__level"))
    assert (levels[first.pk], levels[second.pk]) == (4, 0)
