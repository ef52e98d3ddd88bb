"""Which coming events are at risk of not running, one rule per test."""

from datetime import UTC, datetime, timedelta

import pytest

from usht_events.catalogue.models import Event, EventStatus, Session
from usht_events.dashboard.overview import is_at_risk
from usht_events.registration.places import Counts

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


def _event(**fields) -> Event:
    values = {
        "status": EventStatus.PUBLISHED,
        "min_participants": 25,
        "decision_at": NOW + timedelta(days=3),
    }
    return Event(**(values | fields))


def test_below_minimum_with_the_decision_in_three_days_is_at_risk():
    assert is_at_risk(_event(), Counts(confirmed=12), NOW)


def test_reaching_the_minimum_ends_the_risk():
    assert not is_at_risk(_event(), Counts(confirmed=25), NOW)


@pytest.mark.parametrize("days", [8, 30])
def test_a_decision_more_than_a_week_away_is_not_yet_a_risk(days):
    assert not is_at_risk(_event(decision_at=NOW + timedelta(days=days)), Counts(), NOW)


def test_a_decision_that_has_come_is_awaiting_not_at_risk():
    assert not is_at_risk(_event(decision_at=NOW - timedelta(minutes=1)), Counts(), NOW)


@pytest.mark.parametrize(
    "status", [EventStatus.CONFIRMED, EventStatus.DRAFT, EventStatus.CANCELLED]
)
def test_only_a_published_undecided_event_is_at_risk(status):
    assert not is_at_risk(_event(status=status), Counts(), NOW)


def test_without_a_minimum_nothing_is_at_risk():
    assert not is_at_risk(_event(min_participants=None), Counts(), NOW)


def test_without_a_decision_time_the_first_day_within_a_week_is_the_risk():
    soon = Session(starts_at=NOW + timedelta(days=5), ends_at=NOW + timedelta(days=5, hours=6))
    later = Session(starts_at=NOW + timedelta(days=20), ends_at=NOW + timedelta(days=20, hours=6))
    assert is_at_risk(_event(decision_at=None, sessions=[soon]), Counts(), NOW)
    assert not is_at_risk(_event(decision_at=None, sessions=[later]), Counts(), NOW)
