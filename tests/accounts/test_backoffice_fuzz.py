"""Whatever an organiser or administrator types into a back-office form or address, the
answer is never a server error. Hypothesis fills in every field each page's form has."""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.accounts.test_authorization_matrix import (
    ACCESS,
    _admin_rules,
    _client_as,
    build_world,
    url_for_rule,
)
from tests.registration.test_public_input_fuzz import nasty_text

FUZZ = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FIELD = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"')
# Query parameters the back office reads somewhere; others are ignored.
QUERY_NAMES = ("q", "page", "year", "centre", "status", "from", "to", "kind", "focus", "sort")


@pytest.fixture
def world(any_app, make):
    return build_world(make)


def _fields(client, url: str) -> list[str]:
    """The names of the fields the page's forms send, besides the CSRF token."""
    page = client.get(url)
    if page.status_code != 200 or "html" not in page.content_type:
        return []
    return sorted(set(FIELD.findall(page.get_data(as_text=True))) - {"csrf_token"})


@pytest.fixture
def route(any_app, world, endpoint):
    """The endpoint's rule, its URL in this world, and its form's field names."""
    (rule,) = [rule for rule in _admin_rules(any_app) if rule.endpoint == endpoint]
    url = url_for_rule(rule, world.ids)
    client = _client_as(any_app, world, "admin")
    names = _fields(client, url) if {"GET", "POST"} <= rule.methods else []
    return rule, url, names


@pytest.mark.parametrize("endpoint", sorted(ACCESS))
@FUZZ
@given(data=st.data())
def test_no_back_office_input_gives_a_server_error(any_app, world, route, data):
    rule, url, names = route
    client = _client_as(any_app, world, "admin")
    if "GET" in rule.methods:
        query = data.draw(st.dictionaries(st.sampled_from(QUERY_NAMES), nasty_text, max_size=4))
        status = client.get(url, query_string=query).status_code
        assert status < 500, f"GET {url} {query!r}: {status}"
    if "POST" in rule.methods:
        form = {name: data.draw(nasty_text, label=name) for name in names}
        status = client.post(url, data=form | {"csrf_token": client.csrf}).status_code
        assert status < 500, f"POST {url} {form!r}: {status}"
