"""Authentication of the API, and the small client the other API tests use."""

import json

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

BASE = "/api/v1"


class ApiClient:
    """Django's test client speaking JSON with a bearer token."""

    def __init__(self, token=None, client=None):
        self.client = client or Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _send(self, method, path, body=None, if_match=None, raw=None):
        headers = dict(self.headers)
        if if_match is not None:
            headers["If-Match"] = if_match
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        kwargs = {"content_type": "application/json", "data": data} if data is not None else {}
        return getattr(self.client, method)(BASE + path, headers=headers, **kwargs)

    def get(self, path, **params):
        return self.client.get(BASE + path, params, headers=self.headers)

    def post(self, path, body=None, raw=None):
        return self._send("post", path, body, raw=raw)

    def patch(self, path, body, if_match=None):
        return self._send("patch", path, body, if_match=if_match)

    def delete(self, path, if_match=None):
        return self._send("delete", path, if_match=if_match)


@pytest.fixture
def as_user(token_for):
    return lambda user: ApiClient(token_for(user))


def test_it_refuses_a_request_without_credentials(world):
    response = ApiClient().get("/households")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401


def test_it_refuses_a_wrong_token(world):
    assert ApiClient("hw_not-a-real-token").get("/programmes").status_code == 401


def test_it_refuses_the_token_of_a_deactivated_user(world, token_for):
    token = token_for(world.klara)
    world.klara.is_active = False
    world.klara.save()
    assert ApiClient(token).get("/households").status_code == 401


def test_it_accepts_a_token(world, as_user):
    response = as_user(world.klara).get("/households")
    assert response.status_code == 200
    assert response.json()["count"] == 2


def test_it_accepts_the_browser_session(world):
    browser = Client()
    browser.force_login(world.klara)
    response = ApiClient(client=browser).get("/households")
    assert response.status_code == 200
    assert response.json()["count"] == 2


def test_it_needs_the_csrf_token_for_writes_from_the_browser(world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.ada)
    body = {"code": "NEW", "name": "New programme"}
    refused = ApiClient(client=browser).post("/programmes", body)
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"

    token = _get_new_csrf_string()  # what Django's pages put in the csrftoken cookie
    browser.cookies["csrftoken"] = token
    accepted = browser.post("/api/v1/programmes", json.dumps(body), content_type="application/json",
                            headers={"X-CSRFToken": token})
    assert accepted.status_code == 201, accepted.content


def test_it_does_not_fall_back_to_the_session_when_a_token_is_wrong(world):
    browser = Client()
    browser.force_login(world.ada)
    response = browser.get("/api/v1/households", headers={"Authorization": "Bearer hw_wrong"})
    assert response.status_code == 401
