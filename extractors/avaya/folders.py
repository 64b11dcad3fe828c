"""Where the landing files are read from: a small swappable class per transport.

``LocalFolder`` reads a directory (a mount of the CMS export share and the CDR
collector's output); ``SftpFolder`` reads the same layout over SFTP. Both list
file names relative to the root by glob pattern and return a file's bytes.
"""

from __future__ import annotations

import fnmatch
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol


class LandingFolder(Protocol):
    def list(self, pattern: str) -> list[str]: ...

    def read(self, name: str) -> bytes: ...

    def close(self) -> None: ...


@dataclass
class LocalFolder:
    root: Path

    def __post_init__(self) -> None:
        self.root = Path(self.root)
        if not self.root.is_dir():
            raise FileNotFoundError(f"avaya: landing folder {self.root} does not exist")

    def list(self, pattern: str) -> list[str]:
        return sorted(p.relative_to(self.root).as_posix() for p in self.root.glob(pattern) if p.is_file())

    def read(self, name: str) -> bytes:
        return (self.root / name).read_bytes()

    def close(self) -> None:
        pass

    def __repr__(self) -> str:
        return f"LocalFolder({str(self.root)!r})"


@dataclass
class SftpFolder:
    """The same layout on an SFTP server (paramiko, imported only when used).

    Patterns may use wildcards in the file name only (``cdr/cdr_*.txt``).
    """

    host: str
    root: str = "."
    port: int = 22
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    key_file: str | None = None
    timeout: float = 30.0
    _client: Any = field(default=None, init=False, repr=False)
    _sftp: Any = field(default=None, init=False, repr=False)

    def _open(self):
        if self._sftp is None:
            import paramiko

            client = paramiko.SSHClient()
            client.load_system_host_keys()
            client.set_missing_host_key_policy(paramiko.RejectPolicy())
            client.connect(
                self.host,
                port=self.port,
                username=self.username,
                password=self.password,
                key_filename=self.key_file,
                timeout=self.timeout,
                allow_agent=False,
                look_for_keys=False,
            )
            self._client, self._sftp = client, client.open_sftp()
        return self._sftp

    def list(self, pattern: str) -> list[str]:
        folder, glob = posixpath.split(pattern)
        names = self._open().listdir(posixpath.join(self.root, folder) if folder else self.root)
        return sorted(posixpath.join(folder, n) if folder else n for n in names if fnmatch.fnmatch(n, glob))

    def read(self, name: str) -> bytes:
        with self._open().open(posixpath.join(self.root, name), "rb") as fh:
            return fh.read()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = self._sftp = None
