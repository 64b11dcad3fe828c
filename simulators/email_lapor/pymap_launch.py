"""Run pymap's ``maildir`` backend over the mailbox the stand-in wrote (the child process).

    python pymap_launch.py --host 127.0.0.1 --port N --no-tls maildir BASE_DIR

Run as a script (only pymap is imported), with from the environment:

* ``EMAIL_LAPOR_STAND_IN_USER`` / ``..._PASSWORD``: the one login. The password is hashed
  (PBKDF2, low rounds: it is a fresh random 128-bit secret) into BASE_DIR's shadow file,
  so it is neither on a command line nor in clear on disk;
* ``EMAIL_LAPOR_STAND_IN_HOME``: the user's maildir, relative to BASE_DIR;
* ``EMAIL_LAPOR_STAND_IN_UIDVALIDITY``: the UIDVALIDITY of a mailbox created over IMAP
  (pymap draws one from the clock and a random number; the written mailbox has its own).

Two changes to pymap's maildir backend, both for serving the written files as they are:

* a message's content is the file's bytes (pymap parses it with ``email`` and serialises it
  again, which can change bytes, hence RFC822.SIZE and any hash a client takes);
* INTERNALDATE is the file's mtime in +0700 (``TZ`` is set so by the parent).
"""

from __future__ import annotations

import os
import sys


def _patch():
    from pymap.backend.maildir.mailbox import LoadedMessage, Message
    from pymap.config import IMAPConfig
    from pymap.mailbox import MailboxSnapshot
    from pymap.mime import MessageContent
    from pymap.parsing.specials import FetchRequirement
    from pysasl.hashing import BuiltinHash

    uid_validity = int(os.environ["EMAIL_LAPOR_STAND_IN_UIDVALIDITY"])
    MailboxSnapshot.new_uid_validity = classmethod(lambda cls: uid_validity)
    hasher = BuiltinHash(rounds=1000)
    IMAPConfig._get_hash_context = classmethod(lambda cls, passlib_cfg: hasher)  # noqa: SLF001

    async def load_content(self, requirement):
        if self._key is None or self._maildir is None or requirement.has_none(FetchRequirement.CONTENT):
            return LoadedMessage(self, requirement, None)
        try:
            path = self._maildir._join(self._maildir._lookup(self._key))  # noqa: SLF001
            with open(path, "rb") as f:
                data = f.read()
        except (KeyError, FileNotFoundError):
            return LoadedMessage(self, requirement, None)
        return LoadedMessage(self, requirement, MessageContent.parse(data))

    Message.load_content = load_content
    return hasher


def _write_login(base_dir: str, hasher) -> None:
    from pymap.backend.maildir.users import PasswordsFile, UsersFile

    user = os.environ["EMAIL_LAPOR_STAND_IN_USER"]
    users = UsersFile(base_dir)
    users.set(UsersFile.build_record(user, os.environ["EMAIL_LAPOR_STAND_IN_HOME"]))
    users.file_write()
    shadow = PasswordsFile(base_dir)
    shadow.set(PasswordsFile.build_record(user, hasher.hash(os.environ["EMAIL_LAPOR_STAND_IN_PASSWORD"])))
    shadow.file_write()
    os.chmod(PasswordsFile.get_file(base_dir), 0o600)


def main() -> None:
    import gc

    gc.set_threshold(100_000, 50, 100)
    hasher = _patch()
    _write_login(sys.argv[-1], hasher)
    from pymap.main import main as pymap_main

    sys.argv[0] = "pymap"
    pymap_main()


if __name__ == "__main__":
    main()
