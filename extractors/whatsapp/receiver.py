"""The WhatsApp Cloud API webhook receiver: the only way message history exists for us.

Meta offers no API to download past messages, so every delivery is kept as it
arrives. ``GET /webhook`` answers Meta's verification handshake; ``POST /webhook``
checks ``X-Hub-Signature-256`` (HMAC-SHA256 of the raw body with the app secret,
compared in constant time), answers 401 without storing anything when it is
missing or wrong, and otherwise appends the raw body to the spool (written and
fsynced) BEFORE answering 200. The same body delivered again is answered 200
and not stored twice, also after a restart (see ``spool``).

A body larger than ``MAX_BODY`` is refused with 413 before it is buffered: on its
``Content-Length`` header, before one byte of it is read, and, when no length is
announced (chunked) or the length is not kept to, while it is read, as soon as the
bytes counted pass the limit. The POST is unauthenticated until its signature is
checked, so nothing more than ``MAX_BODY`` bytes of it is ever held in memory.

Run it (secrets only from the environment, never on the command line, never logged):

    WHATSAPP_APP_SECRET=... WHATSAPP_VERIFY_TOKEN=... \\
        python -m extractors.whatsapp.receiver --host 127.0.0.1 --port 8085 --spool /var/spool/whatsapp

or with the Airflow connection's JSON in ``AIRFLOW_CONN_WHATSAPP_WEBHOOK``
(password = app secret, extra ``verify_token``). Put it behind the HTTPS reverse
proxy that Meta calls; uvicorn's access log is off because the handshake's query
string carries the verify token.
"""

from __future__ import annotations

import argparse
import hmac
import json
import logging
import os
from contextlib import aclosing, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from extractors.whatsapp.signature import HEADER, verify
from extractors.whatsapp.spool import Spool

log = logging.getLogger("extractors.whatsapp.receiver")

MAX_BODY = 5 * 1024 * 1024  # Meta's deliveries are a few kB
CONN_ENV = "AIRFLOW_CONN_WHATSAPP_WEBHOOK"


class BodyTooLarge(Exception):
    """The request body passed ``MAX_BODY``."""


async def read_body(request: Request, limit: int = MAX_BODY) -> bytes:
    """The request body, read chunk by chunk and counted: ``BodyTooLarge`` as soon as more
    than ``limit`` bytes have arrived, so no more than ``limit`` bytes are ever held."""
    chunks: list[bytes] = []
    size = 0
    async with aclosing(request.stream()) as stream:
        async for chunk in stream:
            size += len(chunk)
            if size > limit:
                raise BodyTooLarge(size)
            chunks.append(chunk)
    return b"".join(chunks)


def _too_large() -> Response:
    # Connection: close, so the rest of the body is not read (and thrown away) for the next request
    return PlainTextResponse("payload too large", status_code=413, headers={"Connection": "close"})


@dataclass
class ReceiverSettings:
    app_secret: str
    verify_token: str
    spool_dir: Path

    def __repr__(self) -> str:  # never print the secrets
        return f"ReceiverSettings(app_secret='***', verify_token='***', spool_dir={str(self.spool_dir)!r})"

    @classmethod
    def from_env(cls, spool_dir: str | Path | None = None) -> ReceiverSettings:
        """``WHATSAPP_APP_SECRET`` / ``WHATSAPP_VERIFY_TOKEN`` / ``WHATSAPP_SPOOL_DIR``, else the
        connection JSON in ``AIRFLOW_CONN_WHATSAPP_WEBHOOK`` (password, extra.verify_token, extra.spool_dir)."""
        secret = os.environ.get("WHATSAPP_APP_SECRET", "")
        token = os.environ.get("WHATSAPP_VERIFY_TOKEN", "")
        spool = spool_dir or os.environ.get("WHATSAPP_SPOOL_DIR")
        raw = os.environ.get(CONN_ENV)
        if raw and (not secret or not token or not spool):
            conn = json.loads(raw)
            extra = conn.get("extra") or {}
            extra = json.loads(extra) if isinstance(extra, str) else extra
            secret = secret or conn.get("password") or ""
            token = token or extra.get("verify_token") or ""
            spool = spool or extra.get("spool_dir")
        if not secret or not token or not spool:
            raise SystemExit(
                "whatsapp receiver: set WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN and a spool "
                f"directory (--spool or WHATSAPP_SPOOL_DIR), or {CONN_ENV}"
            )
        return cls(secret, token, Path(spool))


def create_app(settings: ReceiverSettings) -> FastAPI:
    state: dict[str, Spool] = {}

    @asynccontextmanager
    async def lifespan(app):
        state["spool"] = Spool(settings.spool_dir)
        try:
            yield
        finally:
            state.pop("spool").close()

    app = FastAPI(
        title="DJPK WhatsApp webhook receiver", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None
    )

    @app.get("/webhook")
    async def verify_subscription(request: Request):
        q = request.query_params
        mode, token, challenge = q.get("hub.mode"), q.get("hub.verify_token") or "", q.get("hub.challenge")
        if (
            mode == "subscribe"
            and challenge is not None
            and hmac.compare_digest(token.encode(), settings.verify_token.encode())
        ):
            log.info("webhook verification: accepted")
            return PlainTextResponse(challenge)
        log.warning("webhook verification: refused (mode=%r)", mode)
        return PlainTextResponse("verification failed", status_code=403)

    @app.post("/webhook")
    async def receive(request: Request):
        declared = request.headers.get("content-length")
        if declared is not None:
            if not (declared.isascii() and declared.isdigit()):
                return PlainTextResponse("bad content-length", status_code=400, headers={"Connection": "close"})
            if int(declared) > MAX_BODY:  # refused on the header: not one byte of the body is read
                log.warning("webhook POST refused: body of %s bytes announced (limit %d)", declared, MAX_BODY)
                return _too_large()
        try:
            body = await read_body(request, MAX_BODY)
        except BodyTooLarge as exc:
            log.warning("webhook POST refused: body passed %d bytes (%d read, stopped)", MAX_BODY, exc.args[0])
            return _too_large()
        except ClientDisconnect:
            log.warning("webhook POST: the client went away before its body was read")
            return Response(status_code=400)
        if not verify(settings.app_secret, body, request.headers.get(HEADER)):
            log.warning(
                "webhook POST refused: %s signature (%d bytes)",
                "missing" if HEADER.lower() not in request.headers else "invalid",
                len(body),
            )
            return PlainTextResponse("invalid signature", status_code=401)
        stored = await run_in_threadpool(state["spool"].append, body)
        log.info("webhook POST %s (%d bytes)", "stored" if stored else "duplicate, already stored", len(body))
        return Response(status_code=200)

    @app.get("/healthz")
    async def health():
        spool = state.get("spool")
        if spool is None:
            return JSONResponse({"status": "starting"}, status_code=503)
        return JSONResponse({"status": "ok", "deliveries": len(spool)})

    return app


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m extractors.whatsapp.receiver",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8085)
    ap.add_argument("--spool", help="spool directory (default: WHATSAPP_SPOOL_DIR)")
    ap.add_argument("--log-level", default="info")
    args = ap.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = ReceiverSettings.from_env(args.spool)

    import uvicorn

    log.info("whatsapp receiver on http://%s:%d, spool %s", args.host, args.port, settings.spool_dir)
    uvicorn.run(
        create_app(settings),
        host=args.host,
        port=args.port,
        access_log=False,
        log_level=args.log_level,
        timeout_graceful_shutdown=5,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
