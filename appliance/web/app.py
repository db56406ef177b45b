"""FastAPI application: health for the watchdog and installers, status and call records for the owner."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.responses import HTMLResponse, JSONResponse

from appliance.device.reset_token import take_unseen_reset_token
from appliance.store import CallNotFoundError, CallStore

StatusProvider = Callable[[], dict]


def create_web_app(status: StatusProvider, store: CallStore, data_dir: Path | None = None) -> FastAPI:
    """`data_dir` holds the admin reset token first boot issued: the first visit of `/` shows it, once."""
    app = FastAPI(title="Balie", docs_url="/api/docs", openapi_url="/api/openapi.json")

    @app.get("/api/health")
    def health() -> JSONResponse:
        current = status()
        healthy = not current["problems"]
        return JSONResponse({"ok": healthy, "problems": current["problems"]}, status_code=200 if healthy else 503)

    @app.get("/api/status")
    def status_json() -> dict:
        return status()

    @app.get("/api/calls")
    def calls(limit: int = 50) -> list[dict]:
        return store.recent_calls(limit=max(1, min(limit, 500)))

    @app.get("/api/calls/{call_id}")
    def call(call_id: int) -> dict:
        try:
            record = store.call(call_id)
        except CallNotFoundError as exc:
            raise HTTPException(status_code=404, detail=f"no call {call_id}") from exc
        return {**record, "turns": store.turns(call_id)}

    @app.get("/", response_class=HTMLResponse)
    def index() -> str:
        current = status()
        rows = "".join(f"<tr><th>{escape(str(k))}</th><td>{escape(str(v))}</td></tr>"
                       for k, v in current.items() if not isinstance(v, dict | list))
        problems = "".join(f"<li>{escape(p)}</li>" for p in current["problems"]) or "<li>none</li>"
        token = take_unseen_reset_token(data_dir) if data_dir else None
        notice = (f"<p class='reset-token'>Herstelcode voor het beheerderswachtwoord (wordt maar één keer getoond; "
                  f"schrijf hem op het label onder het kastje): <strong>{escape(token)}</strong></p>"
                  if token else "")
        return (f"<!doctype html><html lang='nl'><head><meta charset='utf-8'><title>Balie</title></head>"
                f"<body><h1>Balie — {escape(current.get('business', ''))}</h1>{notice}<table>{rows}</table>"
                f"<h2>Aandachtspunten</h2><ul>{problems}</ul></body></html>")

    return app
