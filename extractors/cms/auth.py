"""WordPress application-password authentication (HTTP Basic), for sites that need it.

A public site serves published posts to anyone: the default is no credentials.
Where the site requires them, create an application password for a read-only
user (Users -> Profile -> Application Passwords) and put the user and password in
the Airflow connection's login and password.
"""

from __future__ import annotations

import requests


class ApplicationPasswordAuth(requests.auth.HTTPBasicAuth):
    def __init__(self, username: str, password: str):
        if not username or not password:
            raise ValueError("cms: an application password needs both a user name and the password")
        super().__init__(username, password.replace(" ", ""))  # WordPress shows it in groups of four

    def __repr__(self) -> str:  # never print the password
        return f"ApplicationPasswordAuth(username={self.username!r}, password='***')"
