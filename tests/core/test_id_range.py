"""Every address with a numeric id answers 404 for an id no row can have, on PostgreSQL too.

Ids are INTEGER columns (1..2147483647). PostgreSQL refuses a larger number in a query
outright, so before the bounded `int` converter /events/2147483648 was a server error.
"""

import re

import pytest

from tests.accounts.test_authorization_matrix import _client_as, build_world, url_for_rule
from usht_events.core.web import MAX_ID

OUT_OF_RANGE = ("0", "2147483648", "99999999999999999999")
INT_ARGUMENT = re.compile(r"<int:(\w+)>")


def _int_rules(app):
    return [rule for rule in app.url_map.iter_rules() if INT_ARGUMENT.search(rule.rule)]


def _send(client, rule, number: str):
    """Every method the rule takes, with the id filled in; the responses."""
    url = url_for_rule(rule, dict.fromkeys(rule.arguments, number))
    for method in sorted(rule.methods & {"GET", "POST"}):
        data = {"csrf_token": client.csrf} if method == "POST" else None
        yield f"{method} {url}", client.open(url, method=method, data=data)


def test_the_public_and_back_office_routes_with_ids_are_all_checked(pg_app):
    public = {r.rule for r in _int_rules(pg_app) if not r.rule.startswith("/admin")}
    assert public == {
        "/events/<int:event_id>",
        "/events/<int:event_id>.ics",
        "/events/<int:event_id>/register",
        "/api/v1/events/<int:event_id>",
    }
    assert len(_int_rules(pg_app)) > len(public)


@pytest.mark.parametrize("role", ["anonymous", "admin"])
@pytest.mark.parametrize("number", OUT_OF_RANGE)
def test_an_id_out_of_range_is_not_found_on_every_route(pg_app, make, role, number):
    client = _client_as(pg_app, build_world(make), role)
    for rule in _int_rules(pg_app):
        for request, response in _send(client, rule, number):
            assert response.status_code == 404, f"{request} as {role}: {response.status_code}"


def test_the_largest_id_reaches_the_view_and_is_not_found(pg_app, make):
    assert MAX_ID == 2**31 - 1
    client = _client_as(pg_app, build_world(make), "admin")
    for rule in _int_rules(pg_app):
        for request, response in _send(client, rule, str(MAX_ID)):
            assert response.status_code == 404, f"{request}: {response.status_code}"


@pytest.mark.parametrize("number", OUT_OF_RANGE)
def test_an_id_out_of_range_is_not_found_on_sqlite_too(client, number):
    assert client.get(f"/events/{number}").status_code == 404
    assert client.get(f"/events/{number}.ics").status_code == 404


def test_ids_in_range_still_reach_the_views(client, make):
    event = make.event()
    assert client.get(f"/events/{event.id}").status_code == 200
