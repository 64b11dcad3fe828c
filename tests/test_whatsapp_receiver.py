"""The WhatsApp webhook receiver as it runs in production: its own process, real HTTP, a real spool."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import requests

from extractors.whatsapp.signature import HEADER, sign, verify
from extractors.whatsapp.spool import Spool, SpoolEntry, read_entries, spool_files
from simulators.whatsapp.stand_in import Receiver


def payload(n: int, status: str = "delivered") -> bytes:
    """A status webhook delivery as Meta posts it."""
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102030405060708", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "628111504207", "phone_number_id": "113355779911224"},
            "statuses": [{"id": f"wamid.TEST{n:06d}", "status": status, "timestamp": str(1702600000 + n),
                          "recipient_id": "6281234567890"}],
        }}]}],
    }
    return json.dumps(body, separators=(",", ":")).encode()


def stored(spool_dir: Path) -> list[bytes]:
    return [e.body for p in spool_files(spool_dir) for e in read_entries(p) if isinstance(e, SpoolEntry)]


def post(rec: Receiver, body: bytes, signature: str | None = "sign", secret: str | None = None) -> requests.Response:
    headers = {"Content-Type": "application/json"}
    if signature == "sign":
        headers[HEADER] = sign(secret or rec.app_secret, body)
    elif signature is not None:
        headers[HEADER] = signature
    return requests.post(rec.url, data=body, headers=headers, timeout=10)


@pytest.fixture(scope="module")
def receiver(tmp_path_factory):
    base = tmp_path_factory.mktemp("wa-receiver")
    with Receiver(base / "spool", base / "receiver.log") as rec:
        yield rec


def test_signature_helper_accepts_only_the_exact_body_and_secret():
    body = payload(1)
    good = sign("s3cret", body)
    assert verify("s3cret", body, good)
    assert not verify("s3cret", body + b" ", good)
    assert not verify("other", body, good)
    assert not verify("s3cret", body, None)
    assert not verify("s3cret", body, good.replace("sha256=", "sha1="))


def test_verification_handshake_echoes_the_challenge_only_with_the_token(receiver):
    ok = requests.get(receiver.url, params={"hub.mode": "subscribe", "hub.verify_token": receiver.verify_token,
                                            "hub.challenge": "1158201444"}, timeout=10)
    assert (ok.status_code, ok.text) == (200, "1158201444")
    wrong = requests.get(receiver.url, params={"hub.mode": "subscribe", "hub.verify_token": "guess",
                                               "hub.challenge": "1158201444"}, timeout=10)
    assert wrong.status_code == 403 and "1158201444" not in wrong.text
    mode = requests.get(receiver.url, params={"hub.mode": "unsubscribe", "hub.verify_token": receiver.verify_token,
                                              "hub.challenge": "x"}, timeout=10)
    assert mode.status_code == 403


def test_a_signed_delivery_is_on_disk_when_200_comes_back(receiver):
    body = payload(10)
    r = post(receiver, body)
    assert r.status_code == 200
    assert body in stored(receiver.spool_dir)


@pytest.mark.parametrize("signature", [None, "sha256=" + "0" * 64, "garbage", "wrong-secret", "tampered"])
def test_a_missing_or_wrong_signature_is_401_and_nothing_is_stored(receiver, signature):
    before = stored(receiver.spool_dir)
    body = payload(20)
    if signature == "wrong-secret":
        r = post(receiver, body, secret="not-the-app-secret")
    elif signature == "tampered":  # signed, then changed on the way
        r = requests.post(receiver.url, data=body.replace(b"delivered", b"read"),
                          headers={HEADER: sign(receiver.app_secret, body)}, timeout=10)
    else:
        r = post(receiver, body, signature=signature)
    assert r.status_code == 401
    assert stored(receiver.spool_dir) == before


def test_a_redelivered_body_is_stored_once_but_a_new_one_is_stored(receiver):
    body = payload(30)
    assert [post(receiver, body).status_code for _ in range(3)] == [200, 200, 200]
    assert stored(receiver.spool_dir).count(body) == 1
    other = payload(30, status="read")
    assert post(receiver, other).status_code == 200
    assert stored(receiver.spool_dir).count(other) == 1


def test_a_body_that_is_not_json_is_kept_raw_when_signed(receiver):
    body = b"\xff\xfe not json"
    assert post(receiver, body).status_code == 200
    assert body in stored(receiver.spool_dir)  # kept byte for byte; the extractor quarantines it


def test_secrets_never_reach_the_log(receiver):
    requests.get(receiver.url, params={"hub.mode": "subscribe", "hub.verify_token": receiver.verify_token,
                                       "hub.challenge": "42"}, timeout=10)
    post(receiver, payload(40), signature="sha256=" + "1" * 64)
    time.sleep(0.2)
    log = receiver.log_path.read_text()
    assert receiver.app_secret not in log and receiver.verify_token not in log
    assert "refused" in log  # the 401 is logged, without the secret


def test_a_receiver_killed_right_after_answering_loses_nothing_and_still_dedupes(tmp_path):
    spool = tmp_path / "spool"
    bodies = [payload(100 + i) for i in range(25)]
    rec = Receiver(spool, tmp_path / "receiver.log").start()
    try:
        for body in bodies:
            assert post(rec, body).status_code == 200
    finally:
        rec.kill()  # SIGKILL right after the last 200: no shutdown, no flush
    assert rec.proc.returncode == -9
    assert stored(spool) == bodies
    # a new process on the same spool recognises Meta's redeliveries of what it already answered
    again = Receiver(spool, tmp_path / "receiver.log", app_secret=rec.app_secret).start()
    try:
        assert all(post(again, body).status_code == 200 for body in bodies[-5:])
        assert post(again, payload(999)).status_code == 200
    finally:
        again.stop()
    assert stored(spool) == bodies + [payload(999)]


def test_a_line_cut_short_by_a_crash_is_dropped_and_the_next_delivery_is_whole(tmp_path):
    spool = tmp_path / "spool"
    first = payload(1)
    with Receiver(spool, tmp_path / "receiver.log") as rec:
        assert post(rec, first).status_code == 200
        secret = rec.app_secret
    path = spool_files(spool)[0]
    with open(path, "ab") as fh:  # a crash in the middle of a write: never answered 200
        fh.write(b'{"sha256":"abc","received_at":"2023-12-20T00:00:00+00:00","body":"{\\"obj')
    assert stored(spool) == [first]  # readers ignore the unfinished line
    half = payload(2)
    with Receiver(spool, tmp_path / "receiver.log", app_secret=secret) as rec:
        assert post(rec, half).status_code == 200  # Meta redelivers what it got no 200 for
    assert stored(spool) == [first, half]
    assert path.read_bytes().count(b"\n") == len(path.read_bytes().splitlines())


def test_only_one_receiver_owns_a_spool(tmp_path):
    one = Spool(tmp_path)
    try:
        with pytest.raises(RuntimeError, match="another receiver"):
            Spool(tmp_path)
    finally:
        one.close()
    Spool(tmp_path).close()  # released: a new owner may take it


def test_a_stand_in_receiver_does_not_outlive_the_process_that_started_it(tmp_path):
    import os
    import subprocess
    import sys

    script = (
        "import os, sys\nfrom pathlib import Path\nfrom simulators.whatsapp.stand_in import Receiver\n"
        f"r = Receiver(Path({str(tmp_path / 'spool')!r}), Path({str(tmp_path / 'r.log')!r})).start()\n"
        "print(r.proc.pid, flush=True)\nos._exit(0)\n"  # dies without stopping it
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    pid = int(out.stdout.split()[-1])
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        os.kill(pid, 9)
        pytest.fail("the receiver outlived its parent")
