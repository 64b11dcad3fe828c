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
        "entry": [
            {
                "id": "102030405060708",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "628111504207", "phone_number_id": "113355779911224"},
                            "statuses": [
                                {
                                    "id": f"wamid.TEST{n:06d}",
                                    "status": status,
                                    "timestamp": str(1702600000 + n),
                                    "recipient_id": "6281234567890",
                                }
                            ],
                        },
                    }
                ],
            }
        ],
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
    ok = requests.get(
        receiver.url,
        params={"hub.mode": "subscribe", "hub.verify_token": receiver.verify_token, "hub.challenge": "1158201444"},
        timeout=10,
    )
    assert (ok.status_code, ok.text) == (200, "1158201444")
    wrong = requests.get(
        receiver.url,
        params={"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1158201444"},
        timeout=10,
    )
    assert wrong.status_code == 403 and "1158201444" not in wrong.text
    mode = requests.get(
        receiver.url,
        params={"hub.mode": "unsubscribe", "hub.verify_token": receiver.verify_token, "hub.challenge": "x"},
        timeout=10,
    )
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
        r = requests.post(
            receiver.url,
            data=body.replace(b"delivered", b"read"),
            headers={HEADER: sign(receiver.app_secret, body)},
            timeout=10,
        )
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
    requests.get(
        receiver.url,
        params={"hub.mode": "subscribe", "hub.verify_token": receiver.verify_token, "hub.challenge": "42"},
        timeout=10,
    )
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


# --- Oversized bodies: refused before they are buffered ---------------------------------------

MiB = 1024 * 1024
BIG = 100 * MiB


def _proc_bytes(pid: int, field: str) -> int:
    """``VmRSS`` / ``VmHWM`` (peak RSS) of a process, in bytes, from ``/proc/<pid>/status``."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no {field} in /proc/{pid}/status")


def _raw_post(port: int, head: bytes, chunks) -> tuple[int | None, int]:
    """POST over a bare socket: send ``head`` then the ``chunks``, stop sending as soon as the
    server answers (or drops the connection); the status code answered and the bytes sent."""
    import select
    import socket

    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(head)
        for chunk in chunks:
            if select.select([sock], [], [], 0)[0]:
                break  # an answer (or the close) came before the body was sent: stop, read it
            try:
                sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
        data = b""
        try:
            while b"\r\n" not in data:
                part = sock.recv(65536)
                if not part:
                    break
                data += part
        except ConnectionResetError:
            pass
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.1 ") else None
    return status, sent


def _body(total: int, piece: int = MiB):
    block = b"x" * piece
    for _ in range(total // piece):
        yield block


def _chunked(chunks):
    for c in chunks:
        yield b"%x\r\n" % len(c) + c + b"\r\n"
    yield b"0\r\n\r\n"


def _head(rec: Receiver, extra: str) -> bytes:
    return (
        f"POST /webhook HTTP/1.1\r\nHost: 127.0.0.1:{rec.port}\r\nContent-Type: application/json\r\n{extra}\r\n"
    ).encode()


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_an_unauthenticated_100_mib_body_is_refused_413_without_being_buffered(receiver, framing):
    pid = receiver.proc.pid
    assert post(receiver, payload(50)).status_code == 200  # warm: the process has served a delivery
    rss_before = _proc_bytes(pid, "VmRSS")
    before = stored(receiver.spool_dir)
    if framing == "content-length":  # honest: refused on the header, before one body byte is read
        head = _head(receiver, f"Content-Length: {BIG}\r\n")
        status, sent = _raw_post(receiver.port, head, _body(BIG))
    else:  # no length announced: read, counted, and cut off as soon as the limit is passed
        head = _head(receiver, "Transfer-Encoding: chunked\r\n")
        status, sent = _raw_post(receiver.port, head, _chunked(_body(BIG)))
    peak = _proc_bytes(pid, "VmHWM")
    assert status == 413
    # peak RSS during the request, against the RSS before it (a bound on the growth, not an estimate)
    assert peak - rss_before < 20 * MiB, f"receiver grew {(peak - rss_before) / MiB:.1f} MiB"
    assert sent < BIG  # the receiver did not wait for the whole body
    assert stored(receiver.spool_dir) == before
    assert post(receiver, payload(51)).status_code == 200  # and it still serves


def test_a_body_over_the_limit_is_413_also_when_requests_sends_it(receiver):
    """An ordinary client that writes the whole body before it reads still gets the 413."""
    from extractors.whatsapp.receiver import MAX_BODY

    body = b"{" + b" " * MAX_BODY + b"}"
    try:
        r = requests.post(receiver.url, data=body, timeout=30, headers={HEADER: sign(receiver.app_secret, body)})
    except requests.ConnectionError:  # the server may close before the client finished writing
        pytest.skip("the client lost the 413 to the connection reset")
    assert r.status_code == 413


def test_a_chunked_delivery_is_signature_checked_on_the_bytes_read(receiver):
    body = payload(60)
    pieces = [body[i : i + 37] for i in range(0, len(body), 37)]
    good = requests.post(
        receiver.url,
        data=iter(pieces),
        timeout=10,
        headers={HEADER: sign(receiver.app_secret, body), "Content-Type": "application/json"},
    )
    assert good.status_code == 200 and body in stored(receiver.spool_dir)
    other = payload(61)
    bad = requests.post(
        receiver.url, data=iter([other[:10], other[10:]]), timeout=10, headers={HEADER: sign(receiver.app_secret, body)}
    )  # signed for another body
    assert bad.status_code == 401 and other not in stored(receiver.spool_dir)


def test_a_signed_chunked_body_over_the_limit_is_413_and_not_stored(receiver):
    from extractors.whatsapp.receiver import MAX_BODY

    body = b"[" + b"0," * (MAX_BODY // 2) + b"0]"
    head = _head(receiver, f"Transfer-Encoding: chunked\r\n{HEADER}: {sign(receiver.app_secret, body)}\r\n")
    status, _ = _raw_post(receiver.port, head, _chunked([body[i : i + 65536] for i in range(0, len(body), 65536)]))
    assert status == 413
    assert body not in stored(receiver.spool_dir)


def test_a_malformed_content_length_is_refused(receiver):
    status, _ = _raw_post(receiver.port, _head(receiver, "Content-Length: 12abc\r\n"), iter([b"x" * 12]))
    assert status == 400
