"""Signing up for an event with its own questions, in a real browser on a desktop and a
phone: a missing answer is named and focused, the answers reach the person's own page."""

import pytest

from tests.browser.axe import assert_accessible
from tests.browser.test_signup_flow import (
    VIEWPORTS,
    assert_fits_phone,
    centre,  # noqa: F401 (a fixture used by the event below)
    fill_signup_form,
    not_http_status_errors,
)
from usht_events.catalogue.models import EventQuestion, QuestionKind
from usht_events.core.db import db

pytestmark = pytest.mark.browser


@pytest.fixture
def event(make, centre):  # noqa: F811
    event = make.event(title="Demensomsorgens ABC", centre=centre, capacity=30)
    event.questions = [
        EventQuestion(
            position=1,
            label="Hvilken ABC-gruppe tilhører du?",
            kind=QuestionKind.ONE_CHOICE,
            required=True,
            choices_text="Gressvik sykehjem\nRolvsøy hjemmetjeneste",
            help_text="Gruppen du følger på arbeidsplassen.",
        ),
        EventQuestion(
            position=2,
            label="Har leder godkjent deltakelsen?",
            kind=QuestionKind.YES_NO,
            required=True,
        ),
        EventQuestion(
            position=3,
            label="Hvilke kvelder passer?",
            kind=QuestionKind.SEVERAL_CHOICES,
            choices_text="Mandag\nTirsdag\nOnsdag",
        ),
    ]
    db.session.commit()
    return event


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_sign_up_with_questions(request, live_server, event, viewport):
    page = request.getfixturevalue(viewport)
    page.goto(f"{live_server}/events/{event.id}")
    fill_signup_form(page, "kari@example.no")
    page.get_by_role("group", name="Har leder godkjent deltakelsen?").get_by_label("Ja").check()
    page.get_by_role("button", name="Meld meg på").click()
    page.wait_for_load_state()
    # The missing answer is named in the summary, which has the focus, and beside its group.
    assert page.title().startswith("Feil:")
    summary = page.locator("#error-summary")
    assert summary.evaluate("element => element === document.activeElement")
    assert "Svar på spørsmålet «Hvilken ABC-gruppe tilhører du?»." in summary.inner_text()
    group = page.get_by_role("group", name="Hvilken ABC-gruppe tilhører du?")
    assert group.get_by_text("Gruppen du følger på arbeidsplassen.").is_visible()
    assert group.get_by_label("Ja").count() == 0
    assert (
        page.get_by_role("group", name="Har leder godkjent deltakelsen?")
        .get_by_label("Ja")
        .is_checked()
    )
    assert_accessible(page)
    if viewport == "phone_page":
        assert_fits_phone(page)

    group.get_by_label("Rolvsøy hjemmetjeneste").check()
    evenings = page.get_by_role("group", name="Hvilke kvelder passer? (valgfritt)")
    evenings.get_by_label("Onsdag").check()
    evenings.get_by_label("Mandag").check()
    page.get_by_label("Jeg samtykker").check()
    page.get_by_role("button", name="Meld meg på").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Du har plass").is_visible()
    answers = page.locator(".answer-list").inner_text()
    assert "Rolvsøy hjemmetjeneste" in answers and "Mandag, Onsdag" in answers
    assert "Ja" in answers
    assert_accessible(page)
    assert not_http_status_errors(page) == []
