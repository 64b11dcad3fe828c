"""Run pymap's ``maildir`` backend over the mailbox the stand-in wrote (the child process).

    python pymap_launch.py --host 127.0.0.1 --port N --no-tls maildir BASE_DIR

Run as a script (only pymap is imported), with from the environment:

* ``EMAIL_LAPOR_STAND_IN_USER`` / ``..._PASSWORD``: the one login. The password is hashed
  (PBKDF2, low rounds: it is a fresh random 128-bit secret) into BASE_DIR's shadow file,
  so it is neither on a command line nor in clear on disk;
* ``EMAIL_LAPOR_STAND_IN_HOME``: the user's maildir, relative to BASE_DIR;
* ``EMAIL_LAPOR_STAND_IN_UIDVALIDITY``: the UIDVALIDITY of a mailbox created over IMAP
  (pymap draws one from the clock and a random number; the written mailbox has its own).

Changes to pymap's maildir backend, for serving the written files as they are, fast:

* a message's content is the file's bytes (pymap parses it with ``email`` and serialises it
  again, which can change bytes, hence RFC822.SIZE and any hash a client takes), and
  ``RFC822.SIZE`` and ``BODY[]`` are served from those bytes without MIME-parsing them (a
  part, a header field or BODYSTRUCTURE still parse the message, when asked);
* the mailbox's message list is kept between commands (pymap lists and stats every file
  after each command, and reads the whole ``dovecot-uidlist`` again for each message a
  FETCH names) and dropped whenever this server changes a mailbox: nothing else writes
  it while the server runs; likewise a session's view is compared with the mailbox only
  when the mailbox changed since (pymap's maildir compares after every command), and the
  mailbox is re-listed before a command only then (pymap lists every file before each);
* INTERNALDATE is the file's mtime in +0700 (``TZ`` is set so by the parent).
"""

from __future__ import annotations

import os
import sys


def _patch():
    from pymap.backend.maildir.mailbox import LoadedMessage, MailboxData, Message
    from pymap.bytes import Writeable
    from pymap.config import IMAPConfig
    from pymap.mailbox import MailboxSnapshot
    from pymap.mime import MessageContent
    from pymap.parsing.specials import FetchRequirement
    from pysasl.hashing import BuiltinHash

    uid_validity = int(os.environ["EMAIL_LAPOR_STAND_IN_UIDVALIDITY"])
    MailboxSnapshot.new_uid_validity = classmethod(lambda cls: uid_validity)
    hasher = BuiltinHash(rounds=1000)
    IMAPConfig._get_hash_context = classmethod(lambda cls, passlib_cfg: hasher)  # noqa: SLF001

    class FileMessage(LoadedMessage):
        """The message's file, read when its bytes are asked for and MIME-parsed only when a
        part of it is (its size is the file's: RFC822.SIZE reads nothing)."""

        __slots__ = ["_path", "_bytes"]

        def __init__(self, message, requirement, path: str) -> None:
            super().__init__(message, requirement, None)
            self._path, self._bytes = path, None

        @property
        def _data(self) -> bytes:
            if self._bytes is None:
                with open(self._path, "rb") as f:
                    self._bytes = f.read()
            return self._bytes

        @property
        def content(self):
            if self._content is None:
                self._content = MessageContent.parse(self._data)
            return self._content

        def __bytes__(self) -> bytes:
            return self._data

        def get_size(self, section=None) -> int:
            return super().get_size(section) if section else os.stat(self._path).st_size

        def get_body(self, section=None, binary: bool = False):
            return super().get_body(section, binary) if section or binary else Writeable.wrap(self._data)

    async def load_content(self, requirement):
        if self._key is None or self._maildir is None or requirement.has_none(FetchRequirement.CONTENT):
            return LoadedMessage(self, requirement, None)
        try:
            return FileMessage(self, requirement, self._maildir._join(self._maildir._lookup(self._key)))  # noqa: SLF001
        except (KeyError, FileNotFoundError):
            return LoadedMessage(self, requirement, None)

    Message.load_content = load_content

    listed: dict[str, dict] = {}  # mailbox path -> {uid: Message}, in UID order
    every_message, one_message = MailboxData.messages, MailboxData.get

    async def by_uid(self) -> dict:
        msgs = listed.get(self._path)  # noqa: SLF001
        if msgs is None:
            msgs = listed[self._path] = {m.uid: m async for m in every_message(self)}  # noqa: SLF001
        return msgs

    async def messages(self):
        for m in list((await by_uid(self)).values()):
            yield m

    async def get(self, uid, cached_msg):
        # pymap reads and parses the whole dovecot-uidlist for each message a FETCH names
        msg = (await by_uid(self)).get(uid)
        return msg if msg is not None else await one_message(self, uid, cached_msg)

    MailboxData.messages, MailboxData.get = messages, get

    # mailbox changes made by this server so far; a session's view holds the count it last saw
    # in its mod_sequence, which pymap carries from command to command (the dict backend's use)
    changes = [0]
    every_update = MailboxData.update_selected

    async def update_selected(self, selected, *, wait_on=None):
        # pymap compares the whole mailbox with the session's view after every command; the
        # view is current when nothing changed since the last comparison (IDLE: as pymap does)
        if wait_on is None and selected.mod_sequence == (self._path, changes[0]):  # noqa: SLF001
            return selected
        now = changes[0]
        selected = await every_update(self, selected, wait_on=wait_on)
        selected.mod_sequence = (self._path, now)  # noqa: SLF001
        return selected

    MailboxData.update_selected = update_selected

    # pymap "resets" the mailbox before every command: lists every file and reads the whole
    # dovecot-uidlist, to number files another program dropped in; none does here
    # (once per MailboxData: a session makes its own, whose UIDVALIDITY the first reset reads)
    every_reset = MailboxData.reset

    async def reset(self):
        if getattr(self, "_djpk_reset_at", None) != changes[0]:
            now = changes[0]
            await every_reset(self)
            self._djpk_reset_at = now
        return self

    MailboxData.reset = reset

    def forgetting(change):
        async def changed(self, *args, **kwargs):
            try:
                return await change(self, *args, **kwargs)
            finally:
                listed.clear()
                changes[0] += 1

        return changed

    for name in ("append", "copy", "move", "update", "delete", "cleanup", "claim_recent"):
        setattr(MailboxData, name, forgetting(getattr(MailboxData, name)))
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
