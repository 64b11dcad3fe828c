"""Graph API access token authentication.

By default the token travels as ``Authorization: Bearer <token>``, which the Graph
API accepts like the ``access_token`` query parameter: a header never appears in
URLs, so not in HTTP libraries' debug logs, proxies' access logs or exception
messages. ``placement="query"`` sends ``access_token=<token>`` instead (the form of
Meta's own examples); URLs then carry the token, so never log at DEBUG with it.
"""

from __future__ import annotations

import requests

PLACEMENTS = ("header", "query")


class GraphTokenAuth(requests.auth.AuthBase):
    def __init__(self, token: str, placement: str = "header"):
        if not token:
            raise ValueError("meta: no access token configured")
        if placement not in PLACEMENTS:
            raise ValueError(f"meta: token placement must be one of {PLACEMENTS}")
        self._token = token
        self.placement = placement

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        if self.placement == "header":
            r.headers["Authorization"] = f"Bearer {self._token}"
        else:
            r.prepare_url(r.url, {"access_token": self._token})
        return r

    def scrub(self, text: str) -> str:
        return text.replace(self._token, "***")

    def __repr__(self) -> str:  # never print the token
        return f"GraphTokenAuth(token='***', placement={self.placement!r})"
