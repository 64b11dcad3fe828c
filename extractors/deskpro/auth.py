"""Deskpro API key authentication: ``Authorization: key <api key>``."""

from __future__ import annotations

import requests


class DeskproKeyAuth(requests.auth.AuthBase):
    """API key auth; with ``agent_id`` a machine key acts as that agent."""

    def __init__(self, api_key: str, agent_id: int | None = None):
        if not api_key:
            raise ValueError("deskpro: no API key configured")
        self._api_key = api_key
        self.agent_id = agent_id

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = f"key {self._api_key}"
        if self.agent_id is not None:
            r.headers["X-DeskPRO-Agent-ID"] = str(self.agent_id)
        return r

    def __repr__(self) -> str:  # never print the key
        return f"DeskproKeyAuth(api_key='***', agent_id={self.agent_id!r})"
