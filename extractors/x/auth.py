"""X API v2 app-only authentication: ``Authorization: Bearer <token>``."""

from __future__ import annotations

import requests


class BearerTokenAuth(requests.auth.AuthBase):
    def __init__(self, token: str):
        if not token:
            raise ValueError("x: no bearer token configured")
        self._token = token

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = f"Bearer {self._token}"
        return r

    def __repr__(self) -> str:  # never print the token
        return "BearerTokenAuth(token='***')"
