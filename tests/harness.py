"""Test harness shared by API, page and service tests: a JSON client speaking as one user."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import simplejson
from flask.testing import FlaskClient

PASSWORD = "correct horse battery"


@dataclass
class Caller:
    """A test client speaking JSON as one user (or anonymously)."""

    client: FlaskClient
    token: str | None = None
    locale: str = "en"

    def request(self, method: str, url: str, json: Any = None, **kwargs: Any) -> Any:
        headers = dict(kwargs.pop("headers", {}))
        if self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        headers.setdefault("Accept-Language", self.locale)
        if json is not None:
            kwargs["data"] = simplejson.dumps(json, use_decimal=True)
            headers.setdefault("Content-Type", "application/json")
        response = self.client.open(url, method=method, headers=headers, **kwargs)
        response.get_data()  # buffer the body, then release the app's file handles
        response.close()
        response.payload = (
            simplejson.loads(response.get_data(as_text=True), use_decimal=True)
            if response.mimetype in {"application/json", "application/problem+json"}
            else None
        )
        return response

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, json: Any = None, **kwargs: Any) -> Any:
        return self.request("POST", url, json=json, **kwargs)

    def put(self, url: str, json: Any = None, **kwargs: Any) -> Any:
        return self.request("PUT", url, json=json, **kwargs)

    def patch(self, url: str, json: Any = None, **kwargs: Any) -> Any:
        return self.request("PATCH", url, json=json, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> Any:
        return self.request("DELETE", url, **kwargs)
