"""OAuth 2.0 bearer authentication for the GA4 Data API: two small swappable classes.

* ``BearerTokenAuth`` (``extractors.common.http``): a token obtained elsewhere (the
  local stand-in's, or one minted by ``gcloud auth print-access-token`` for a one-off run).
* ``ServiceAccountAuth``: what production uses. A Google service-account key
  (the JSON Google issues: ``client_email``, ``private_key``, ``token_uri``) signs
  an RS256 JWT assertion, which the token endpoint exchanges for an access token
  (the OAuth 2.0 JWT-bearer grant, RFC 7523); the token is cached until shortly
  before it expires. The service account needs the Viewer role on the property.

Neither class ever prints, logs or repr()s a token or a key.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import requests

from extractors.common.http import AuthError

SCOPE = "https://www.googleapis.com/auth/analytics.readonly"
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


class ServiceAccountAuth(requests.auth.AuthBase):
    """Access tokens for a service account, minted and refreshed on demand."""

    def __init__(
        self,
        key: dict[str, Any] | str,
        scopes: tuple[str, ...] = (SCOPE,),
        timeout: float = 30.0,
        lifetime: int = 3600,
        clock=time.time,
    ):
        info = json.loads(key) if isinstance(key, str) else dict(key)
        missing = [k for k in ("client_email", "private_key") if not info.get(k)]
        if missing:
            raise ValueError(f"ga4: the service-account key lacks {', '.join(missing)}")
        self.client_email: str = info["client_email"]
        self.token_uri: str = info.get("token_uri") or GOOGLE_TOKEN_URI
        self._private_key: str = info["private_key"]
        self._key_id: str | None = info.get("private_key_id")
        self.scopes = scopes
        self.timeout = timeout
        self.lifetime = lifetime
        self.clock = clock
        self.tokens_fetched = 0
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = threading.Lock()

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = f"Bearer {self.token()}"
        return r

    def token(self) -> str:
        with self._lock:
            if self._token is None or self.clock() >= self._expires_at - 60:
                self._token, ttl = self._fetch()
                self._expires_at = self.clock() + ttl
            return self._token

    def _assertion(self) -> str:
        import jwt  # PyJWT with cryptography for RS256 (both come with Airflow)

        now = int(self.clock())
        claims = {
            "iss": self.client_email,
            "scope": " ".join(self.scopes),
            "aud": self.token_uri,
            "iat": now,
            "exp": now + self.lifetime,
        }
        headers = {"kid": self._key_id} if self._key_id else None
        return jwt.encode(claims, self._private_key, algorithm="RS256", headers=headers)

    def _fetch(self) -> tuple[str, float]:
        try:
            resp = requests.post(
                self.token_uri, data={"grant_type": JWT_BEARER, "assertion": self._assertion()}, timeout=self.timeout
            )
        except requests.RequestException as exc:
            raise AuthError(f"ga4: token endpoint unreachable ({type(exc).__name__})") from None
        try:
            body = resp.json()
        except ValueError:
            body = {}
        if resp.status_code != 200 or not body.get("access_token"):
            raise AuthError(
                f"ga4: service account {self.client_email} got no access token "
                f"({resp.status_code} {body.get('error', '')}: {body.get('error_description', '')}); "
                "check the key and that the account is enabled (not retried)"
            )
        self.tokens_fetched += 1
        return body["access_token"], float(body.get("expires_in", 3600))

    def __repr__(self) -> str:
        return f"ServiceAccountAuth(client_email={self.client_email!r}, key='***')"
