"""The organiser's rules for an event: create, update, duplicate, publish, unpublish."""

from dataclasses import replace
from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from usht_events.catalogue.changes import SessionTimes
from usht_events.catalogue.editing import (
    EventDraft,
    check_draft,
    create_event,
    draft_of,
    duplicate_event,
    publish_event,
)
from usht_events.catalogue.import_preview import import_programme, preview_programme
from usht_events.catalogue.models import Event, EventKind, EventStatus
from usht_events.core.db import db, utcnow
from usht_events.core.errors import DomainError
from usht_events.core.timezones import oslo_datetime, to_oslo
from usht_events.registration.models import Registration

NOW = utcnow().replace(microsecond=0)
YEAR = NOW.year + 1
DAY_ONE = date(YEAR, 3, 24)


def day(offset: int = 0, start: time = time(9), end: time = time(15, 30)) -> SessionTimes:
    """A session on DAY_ONE plus `offset` days, in Oslo time."""
    when = DAY_ONE + timedelta(days=offset)
    return SessionTimes(oslo_datetime(when, start), oslo_datetime(when, end))


@pytest.fixture
def draft(make):
    """A valid two-day ProACT instructor course in Østfold."""

    def build(**fields) -> EventDraft:
        values = {
            "centre": make.centre("ostfold"),
            "title": "ProACT-instruktørkurs",
            "kind": EventKind.INSTRUCTOR_COURSE,
            "focus_area": make.focus_area(),
            "sessions": [day(0), day(1)],
            "capacity": 16,
            "min_participants": 8,
            "registration_closes_at": oslo_datetime(DAY_ONE - timedelta(days=7), time(12)),
        }
        return EventDraft(**(values | fields))

    return build


def edited(event, **fields) -> EventDraft:
    """The event as it is, with some fields changed."""
    return replace(draft_of(event), **fields)


def refusal(call) -> str:
    """The refusal's code; for an invalid draft, the code of its first problem."""
    with pytest.raises(DomainError) as error:
        call()
    problems = error.value.details.get("problems")
    return problems[0].code if problems else error.value.code


def codes(draft: EventDraft) -> list[str]:
    return [problem.code for problem in check_draft(draft)]


def test_a_valid_draft_has_no_problems(app, draft):
    assert check_draft(draft()) == []


def test_an_event_needs_a_session(app, draft):
    assert codes(draft(sessions=[])) == ["no_sessions"]


def test_a_session_ends_after_it_starts(app, draft):
    problems = check_draft(draft(sessions=[day(0), day(1, time(15), time(9))]))
    assert [(p.code, p.field) for p in problems] == [
        ("session_ends_before_start", "sessions-1-end_time")
    ]


def test_minimum_may_not_exceed_capacity(app, draft):
    assert codes(draft(capacity=10, min_participants=11)) == ["min_above_capacity"]


def test_minimum_without_capacity_is_fine(app, draft):
    assert codes(draft(capacity=None, min_participants=30)) == []


def test_completion_asks_for_no_more_sessions_than_the_event_has(app, draft):
    two_days = [day(0), day(1)]
    assert codes(draft(sessions=two_days, required_sessions=2)) == []
    assert codes(draft(sessions=two_days, required_sessions=None)) == []
    problems = check_draft(draft(sessions=two_days, required_sessions=3))
    assert [(p.code, p.field) for p in problems] == [
        ("required_sessions_above_count", "required_sessions")
    ]


def test_deadline_is_before_the_first_session(app, draft):
    closes = oslo_datetime(DAY_ONE, time(10))
    assert codes(draft(registration_closes_at=closes)) == ["deadline_after_start"]


def test_registration_opens_before_it_closes(app, draft):
    closes = oslo_datetime(DAY_ONE - timedelta(days=7), time(12))
    assert codes(draft(registration_opens_at=closes)) == ["opens_after_closes"]


def test_registration_opens_before_the_first_session(app, draft):
    opens = oslo_datetime(DAY_ONE, time(9))
    closes = None
    assert codes(draft(registration_opens_at=opens, registration_closes_at=closes)) == [
        "opens_after_start"
    ]


def test_decision_is_before_the_first_session(app, draft):
    decision = oslo_datetime(DAY_ONE + timedelta(days=1), time(8))
    assert codes(draft(decision_at=decision)) == ["decision_after_start"]


def test_series_belongs_to_the_events_centre(app, make, draft):
    other = make.series(centre=make.centre("vestfold"))
    assert codes(draft(series=other)) == ["series_other_centre"]


def test_every_problem_is_reported_at_once(app, draft):
    bad = draft(sessions=[day(0, time(15), time(9))], capacity=5, min_participants=6)
    with pytest.raises(DomainError) as error:
        create_event(db.session, None, bad, NOW)
    assert error.value.code == "invalid_event"
    assert [p.code for p in error.value.details["problems"]] == [
        "session_ends_before_start",
        "min_above_capacity",
    ]


def test_create_makes_a_draft_with_its_sessions(any_app, make, draft):
    event = create_event(db.session, None, draft(eligible=[make.municipality("3101")]), NOW)
    db.session.commit()
    assert event.status == EventStatus.DRAFT and event.published_at is None
    assert [to_oslo(s.starts_at).date() for s in event.sessions] == [
        DAY_ONE,
        DAY_ONE + timedelta(1),
    ]
    assert [m.number for m in event.eligible_municipalities] == ["3101"]


def test_invalid_draft_creates_nothing(app, draft):
    assert refusal(lambda: create_event(db.session, None, draft(sessions=[]), NOW)) == "no_sessions"
    assert db.session.scalar(select(func.count(Event.id))) == 0


def test_duplicate_moves_by_weeks_keeping_oslo_wall_clock(any_app, make):
    start = oslo_datetime(date(YEAR, 3, 17), time(9))  # before summer time begins
    event = make.event(starts_at=start, days=2, eligible=("3101",))
    make.registration(event)
    copy = duplicate_event(db.session, None, event, NOW, weeks=2)
    db.session.commit()
    assert copy.status == EventStatus.DRAFT and copy.id != event.id
    first = to_oslo(copy.sessions[0].starts_at)
    assert (first.date(), first.time()) == (date(YEAR, 3, 31), time(9))
    assert len(copy.sessions) == 2 and [m.number for m in copy.eligible_municipalities] == ["3101"]
    assert to_oslo(copy.registration_closes_at).date() == date(YEAR, 3, 30)
    assert db.session.scalar(select(func.count()).where(Event.id == copy.id)) == 1


def test_duplicate_copies_no_registrations(app, make):
    event = make.event()
    make.registration(event)
    copy = duplicate_event(db.session, None, event, utcnow(), weeks=26)
    assert copy.sequence == 0 and not copy.published_at
    assert db.session.scalar(select(func.count()).where(Registration.event_id == copy.id)) == 0


def test_duplicate_to_a_new_first_day(app, make):
    event = make.event(starts_at=oslo_datetime(date(YEAR, 9, 14), time(9)), days=2)
    copy = duplicate_event(db.session, None, event, NOW, first_day=date(YEAR + 1, 2, 8))
    assert [to_oslo(s.starts_at).date() for s in copy.sessions] == [
        date(YEAR + 1, 2, 8),
        date(YEAR + 1, 2, 9),
    ]


def test_duplicate_needs_exactly_one_shift(app, make):
    event = make.event()
    assert refusal(lambda: duplicate_event(db.session, None, event, NOW)) == "no_shift"


def test_duplicate_into_the_past_is_refused(app, make):
    event = make.event()
    yesterday = to_oslo(NOW).date() - timedelta(days=1)
    assert refusal(lambda: duplicate_event(db.session, None, event, NOW, first_day=yesterday)) == (
        "copy_in_past"
    )


def test_publish_sets_published_at(any_app, make):
    event = make.event(status=EventStatus.DRAFT, published_at=None)
    publish_event(db.session, None, event.id, NOW)
    db.session.commit()
    assert event.status == EventStatus.PUBLISHED and event.published_at == NOW
    assert event.sequence == 1


def test_publishing_twice_is_refused(app, make):
    event = make.event()
    assert refusal(lambda: publish_event(db.session, None, event.id, NOW)) == "already_published"


def test_a_past_event_is_not_published(app, make):
    event = make.event(status=EventStatus.DRAFT, starts_at=utcnow() - timedelta(days=3))
    assert refusal(lambda: publish_event(db.session, None, event.id, utcnow())) == "past"


def programme(year: int, centre: str = "ostfold") -> bytes:
    header = "ref;centre;title;kind;focus_area;starts_at;ends_at;capacity"
    rows = [
        f"A;{centre};HHLR-instruktørkurs;kurs;leve-hele-livet;{year}-09-14T09:00;{year}-09-14T15:00;12",
        f"A;{centre};HHLR-instruktørkurs;kurs;leve-hele-livet;{year}-09-15T09:00;{year}-09-15T15:00;12",
    ]
    return "\n".join([header, *rows]).encode()


def test_preview_shows_the_events_and_keeps_nothing(any_app, make):
    centre = make.centre("ostfold")
    make.focus_area()
    db.session.commit()
    planned = preview_programme(db.session, centre.id, "plan.csv", programme(YEAR), NOW)
    db.session.commit()
    assert [(p.ref, p.title, len(p.sessions), p.capacity) for p in planned] == [
        ("A", "HHLR-instruktørkurs", 2, 12)
    ]
    assert db.session.scalar(select(func.count(Event.id))) == 0


def test_an_organiser_imports_for_their_own_centre_only(app, make):
    own = make.centre("ostfold")
    make.centre("vestfold")
    make.focus_area()
    content = programme(YEAR, centre="vestfold")
    with pytest.raises(DomainError) as error:
        import_programme(db.session, own.id, "plan.csv", content, NOW)
    assert error.value.code == "invalid_import"
    assert error.value.details["errors"][0].column == "centre"


def test_a_decision_time_that_has_passed_is_refused(app, draft):
    passed = NOW - timedelta(hours=1)
    assert refusal(lambda: create_event(db.session, None, draft(decision_at=passed), NOW)) == (
        "decision_in_past"
    )
