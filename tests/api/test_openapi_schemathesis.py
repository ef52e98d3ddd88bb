"""Schemathesis against our own OpenAPI file: every answer is what the file says it is.

For each operation, schemathesis makes requests from the file's parameters (a bounded,
derandomised number, so a run is the same every time) and checks that no answer is a
server error, each status is documented, and each answer has the documented content
type, body schema and headers. The app is called in-process (WSGI), on SQLite and
PostgreSQL, with a small programme in the database, and every event of it is looked up
by id too, since generated ids seldom hit one.
"""

import contextvars
from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from usht_events.catalogue.models import Event, EventFormat, EventKind, EventStatus
from usht_events.core.db import db, utcnow
from usht_events.registration.models import RegistrationStatus

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
EXAMPLES_PER_OPERATION = 25
# Schemathesis leaves out the operation it loaded the file from (openapiSpec).
OPERATIONS = {"listEvents", "showEvent"}


@pytest.fixture
def programme(any_app, make):
    """Events of every kind the API shows, so the 200 answers are checked too."""
    centre = make.centre("ostfold", region=("3101",))
    soon = utcnow() + timedelta(days=10)
    make.event(
        centre=centre,
        title="ProACT instruktørkurs",
        kind=EventKind.INSTRUCTOR_COURSE,
        starts_at=soon,
        days=2,
        capacity=2,
        seats_per_municipality=1,
        min_participants=2,
        eligible=("3101",),
        series=make.series(centre=centre),
        certifies_kind=make.certification_kind(),
    )
    full = make.event(centre=centre, capacity=1, starts_at=soon + timedelta(days=1))
    make.registration(full)
    make.registration(full, status=RegistrationStatus.WAITLISTED)
    make.event(centre=centre, capacity=None, kind=EventKind.WEBINAR, format=EventFormat.DIGITAL)
    make.event(centre=centre, status=EventStatus.CANCELLED)
    make.event(centre=centre, status=EventStatus.DRAFT)
    past = utcnow() - timedelta(days=30)
    make.event(
        centre=centre,
        starts_at=past,
        registration_opens_at=past - timedelta(days=30),
        registration_closes_at=past - timedelta(days=1),
    )
    db.session.commit()


def _check(operation):
    """Run the operation's generated requests; the first failing one raises."""

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case):
        _call(case)

    run()


def _call(case):
    # Each request in a fresh context, as a real one is: not in the test's app context.
    return contextvars.Context().run(case.call_and_validate, checks=CHECKS)


def test_every_operation_answers_as_the_openapi_file_says(any_app, programme):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", any_app)
    operations = {
        operation.definition.raw["operationId"]: operation
        for operation in (result.ok() for result in schema.get_all_operations())
    }
    assert set(operations) == OPERATIONS
    for operation in operations.values():
        _check(operation)
    events = db.session.scalars(select(Event).order_by(Event.id)).all()
    answers = [
        _call(operations["showEvent"].Case(path_parameters={"id": event.id})).status_code
        for event in events
    ]
    assert answers == [404 if e.status == EventStatus.DRAFT else 200 for e in events]
