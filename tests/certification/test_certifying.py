"""Certifying an event's completers: the preview's reasons, once only (also when two
organisers press at once, on PostgreSQL), renewal, and the refusals."""

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tests.certification.conftest import attend
from usht_events.catalogue.models import EventStatus
from usht_events.certification import certifying
from usht_events.certification.models import Certification, CertificationSource
from usht_events.certification.renewal import add_months, current_certification
from usht_events.certification.rosters import RosterFilter, roster_rows
from usht_events.core.audit import AuditEntry
from usht_events.core.db import db, utcnow
from usht_events.core.errors import DomainError
from usht_events.core.outbox import OutboxMessage
from usht_events.core.timezones import to_oslo
from usht_events.registration import completion


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _certify(course, actor=None):
    done = certifying.certify_completers(db.session, actor, course.event.id, utcnow())
    db.session.commit()
    return done


def test_the_preview_says_who_and_why_and_writes_nothing(course):
    plan = certifying.plan_certification(db.session, course.event, utcnow())
    assert plan.refusal is None
    assert [item.registration.id for item in plan.to_certify] == [course.full.id]
    reasons = {item.registration.person.name: item.why for item in plan.not_certified}
    assert reasons == {
        "Ola Halvdag": "Har møtt på 1 av 2 økter; kravet er 2.",
        "Per Borte": "Har møtt på 0 av 2 økter; kravet er 2.",
        "Vera Venter": "Står på ventelisten.",
    }
    assert plan.issued_on == to_oslo(utcnow()).date()
    assert plan.expires_on == add_months(plan.issued_on, 24)
    assert _count(Certification) == 0


def test_certifying_records_who_what_where_when_and_queues_the_certificate(course, make):
    organiser, _ = make.user("organiser", centre=course.event.centre)
    (certification,) = _certify(course, organiser)
    assert certification.person_id == course.full.person_id
    assert certification.kind_id == course.kind.id
    assert certification.municipality_number == "3107"
    assert certification.source == CertificationSource.EVENT
    assert certification.event_id == course.event.id
    assert certification.issued_by_id == organiser.id
    assert certification.expires_on == add_months(certification.issued_on, 24)
    assert len(certification.verification_code) == 16
    mail = db.session.scalar(select(OutboxMessage))
    assert (mail.kind, mail.needs_render, mail.registration_id) == (
        "certificate_issued",
        True,
        course.full.id,
    )
    (entry,) = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "event.certify"))
    assert entry.summary == "Godkjente 1 deltakere som ProACT-instruktør."
    assert entry.user_id == organiser.id and entry.event_id == course.event.id


def test_certifying_again_adds_nothing(course):
    _certify(course)
    with pytest.raises(DomainError) as refused:
        _certify(course)
    assert refused.value.code == "nobody_to_certify"
    db.session.rollback()
    assert _count(Certification) == 1 and _count(OutboxMessage) == 1
    plan = certifying.plan_certification(db.session, course.event, utcnow())
    assert [item.registration.id for item in plan.already] == [course.full.id]


def test_a_later_completer_is_certified_alone(course):
    _certify(course)
    completion.override_completion(db.session, None, course.half.id, True, "Dag 2 i Moss", utcnow())
    (second,) = _certify(course)
    assert second.person_id == course.half.person_id
    assert second.municipality_number == "3101"
    assert _count(Certification) == 2


def test_a_number_of_sessions_lets_the_half_attender_complete(course):
    course.event.required_sessions = 1
    db.session.commit()
    done = _certify(course)
    assert sorted(item.person_id for item in done) == sorted(
        [course.full.person_id, course.half.person_id]
    )


def test_the_database_refuses_a_second_certification_of_the_same_completer(course):
    _certify(course)
    first = db.session.scalar(select(Certification))
    db.session.add(
        Certification(
            person_id=first.person_id,
            kind_id=first.kind_id,
            event_id=first.event_id,
            source=CertificationSource.EVENT,
            issued_on=first.issued_on,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_not_before_the_last_session_has_begun(any_app, make, course):
    course.event.sessions[-1].starts_at = utcnow() + timedelta(hours=1)
    course.event.sessions[-1].ends_at = utcnow() + timedelta(hours=5)
    db.session.commit()
    plan = certifying.plan_certification(db.session, course.event, utcnow())
    assert plan.refusal.code == "not_over"
    with pytest.raises(DomainError) as refused:
        _certify(course)
    assert refused.value.code == "not_over"


def test_not_for_an_event_that_certifies_nothing_or_is_cancelled(course):
    course.event.status = EventStatus.CANCELLED
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        _certify(course)
    assert refused.value.code == "event_cancelled"
    db.session.rollback()
    course.event.certifies_kind = None
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        _certify(course)
    assert refused.value.code == "not_certifying"


def test_completing_a_new_course_renews_and_the_roster_shows_the_later_expiry(course, make):
    today = to_oslo(utcnow()).date()
    old = make.certification(
        person=course.full.person,
        kind=course.kind,
        issued_on=today - timedelta(days=700),
        expires_on=today + timedelta(days=30),
    )
    db.session.commit()
    plan = certifying.plan_certification(db.session, course.event, utcnow())
    assert "Fornyer godkjenningen som utløper" in plan.to_certify[0].why
    (renewal,) = _certify(course)
    assert renewal.expires_on == add_months(today, 24) > old.expires_on
    current = current_certification(db.session, course.full.person_id, course.kind.id)
    assert current.id == renewal.id
    rows = roster_rows(db.session, "3107", today, RosterFilter())
    assert [(row.name, row.expires_on) for row in rows] == [("Kari Nordmann", renewal.expires_on)]


def test_a_revoked_certification_is_not_what_counts(course, make):
    today = to_oslo(utcnow()).date()
    kept = make.certification(
        person=course.full.person, kind=course.kind, issued_on=date(2020, 1, 1), expires_on=None
    )
    revoked = make.certification(
        person=course.full.person,
        kind=course.kind,
        issued_on=today - timedelta(days=1),
        expires_on=today + timedelta(days=900),
        revoked_at=utcnow(),
    )
    db.session.commit()
    current = current_certification(db.session, course.full.person_id, course.kind.id)
    assert current.id == kept.id != revoked.id


@pytest.mark.postgres
def test_two_organisers_pressing_at_once_certify_once(pg_app, make):
    from tests.certification.conftest import make_course

    course = make_course(make)
    completion.override_completion(db.session, None, course.half.id, True, "Kom dag 2", utcnow())
    attend(course.absent)
    db.session.commit()
    event_id, presses = course.event.id, 6
    start = threading.Barrier(presses)
    outcomes = []

    def press():
        with pg_app.app_context():
            start.wait()
            try:
                done = certifying.certify_completers(db.session, None, event_id, utcnow())
                db.session.commit()
                outcomes.append(len(done))
            except DomainError as error:
                db.session.rollback()
                outcomes.append(error.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=press) for _ in range(presses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    db.session.expire_all()
    assert sorted(outcomes, key=str) == sorted([3] + ["nobody_to_certify"] * 5, key=str)
    assert _count(Certification) == 3
    assert _count(OutboxMessage, OutboxMessage.kind == "certificate_issued") == 3
    assert _count(AuditEntry, AuditEntry.action == "event.certify") == 1


@pytest.mark.postgres
def test_the_insert_itself_adds_nothing_twice_without_the_lock(pg_app, make):
    """Control for the test above: the unique index alone keeps it once, lock or not."""
    from tests.certification.conftest import make_course

    course = make_course(make)
    db.session.commit()
    plan = certifying.plan_certification(db.session, course.event, utcnow())
    values = certifying._values(plan, course.full, None, utcnow())
    insert = certifying._insert_statement(db.session)
    first = db.session.execute(insert.values(**values)).scalar()
    second = db.session.execute(insert.values(**values)).scalar()
    db.session.commit()
    assert first is not None and second is None
    assert _count(Certification) == 1
