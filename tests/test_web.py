"""The web API of a real `balie run`, over HTTP: health, status, call records, and the owner's page."""

from __future__ import annotations

import html
import urllib.error
import urllib.request

import httpx
import pytest
import yaml

from appliance.bench.box import BoxProcess
from appliance.config import DEFAULT_PROFILE
from appliance.models.manifest import DEFAULT_MODELS_DIR
from appliance.store import CallStore
from appliance.testpeers.ports import LOOPBACK, free_port

BUSINESS = 'Bakker & Zn <script>alert("hi")</script>'


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    """A box whose profile's business name holds HTML, started on a database with one finished call and one
    left in progress by an earlier crash."""
    directory = tmp_path_factory.mktemp("web")
    profile = yaml.safe_load(DEFAULT_PROFILE.read_text())
    profile["business"]["name"] = BUSINESS
    (directory / "profile.yaml").write_text(yaml.safe_dump(profile, allow_unicode=True))
    store = CallStore(directory / "data" / "balie.db")
    finished = store.start_call("0612345678", "J. Jansen", "sip:200@127.0.0.1", "one@test")
    store.add_turn(finished, "assistant", "Goedemiddag, waarmee kan ik u helpen?", intent="greeting")
    store.add_turn(finished, "caller", "Wanneer zijn jullie open?", asr_ms=180.0)
    store.end_call(finished, status="completed", end_reason="caller_hung_up", outcome="answered",
                   lead={"name": "Jansen"}, language="nl")
    crashed = store.start_call("0687654321")
    store.add_turn(crashed, "caller", "Ik heb kiespijn")
    store.close()
    with BoxProcess({"profile": str(directory / "profile.yaml"), "sip": {"max_calls": 3}},
                    data_dir=directory / "data") as process:
        client = httpx.Client(base_url=f"http://{LOOPBACK}:{process.web_port}", timeout=5)
        yield process, client, {"finished": finished, "crashed": crashed}
        client.close()


def test_health_is_ok_when_nothing_is_wrong(box):
    _, client, _ = box
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {"ok": True, "problems": []}


def test_status_reports_the_box(box):
    process, client, _ = box
    status = client.get("/api/status").json()
    assert status["business"] == BUSINESS
    assert status["sip_port"] == process.sip_port
    assert status["registration"]["state"] == "disabled"
    assert status["registration_summary"] == "no SIP account configured: taking direct calls"
    assert status["active_calls"] == 0 and status["max_calls"] == 3
    assert status["recovered_interrupted_calls"] == 1
    assert status["models_load_seconds"] > 0
    assert isinstance(status["uptime_seconds"], int) and status["uptime_seconds"] >= 0
    assert status["version"] and status["problems"] == []


def test_calls_lists_newest_first_with_the_crashed_call_interrupted(box):
    _, client, ids = box
    calls = client.get("/api/calls").json()
    assert [c["id"] for c in calls] == [ids["crashed"], ids["finished"]]
    assert calls[0]["status"] == "interrupted" and calls[0]["end_reason"] == "appliance_restart"
    assert calls[1]["status"] == "completed" and calls[1]["lead"] == {"name": "Jansen"}
    assert [c["id"] for c in client.get("/api/calls", params={"limit": 1}).json()] == [ids["crashed"]]
    assert len(client.get("/api/calls", params={"limit": 0}).json()) == 1, "limit is clamped to at least 1"
    assert client.get("/api/calls", params={"limit": "many"}).status_code == 422


def test_one_call_with_its_turns(box):
    _, client, ids = box
    call = client.get(f"/api/calls/{ids['finished']}").json()
    assert call["caller_id"] == "0612345678" and call["lead"] == {"name": "Jansen"}
    assert [(t["seq"], t["role"]) for t in call["turns"]] == [(1, "assistant"), (2, "caller")]
    assert call["turns"][1]["asr_ms"] == 180.0
    crashed = client.get(f"/api/calls/{ids['crashed']}").json()
    assert crashed["status"] == "interrupted" and [t["text"] for t in crashed["turns"]] == ["Ik heb kiespijn"]


def test_unknown_call_is_404_and_a_bad_id_422(box):
    _, client, _ = box
    response = client.get("/api/calls/9999")
    assert response.status_code == 404 and response.json() == {"detail": "no call 9999"}
    assert client.get("/api/calls/abc").status_code == 422


def test_page_renders_and_escapes_the_business_name(box):
    _, client, _ = box
    response = client.get("/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    assert f"<h1>Balie — {html.escape(BUSINESS)}</h1>" in page
    assert "<script>" not in page
    assert "<li>none</li>" in page
    assert "<th>recovered_interrupted_calls</th><td>1</td>" in page


def test_health_is_503_and_names_the_problem_when_registration_fails(tmp_path):
    account = {"registrar": f"{LOOPBACK}:{free_port()}", "user": "200", "password": "secret",
               "transport": "tcp"}
    with BoxProcess({"sip": {"account": account}}) as process:
        process.wait_for(lambda s: s["registration"]["state"] == "unreachable", 15, "a failed registration")
        response = httpx.get(f"http://{LOOPBACK}:{process.web_port}/api/health", timeout=5)
        page = httpx.get(f"http://{LOOPBACK}:{process.web_port}/", timeout=5).text
    assert response.status_code == 503
    body = response.json()
    assert body["ok"] is False and any("SIP registration unreachable" in p for p in body["problems"]), body
    assert "<li>SIP registration unreachable" in page


def test_box_with_a_missing_model_stays_up_to_say_so(tmp_path):
    """No calls without models, but the status page, health check and LEDs tell the installer what is wrong."""
    models = tmp_path / "models"
    models.mkdir()
    (models / "manifest.toml").write_text((DEFAULT_MODELS_DIR / "manifest.toml").read_text())
    with BoxProcess(env={"BALIE_MODELS_DIR": str(models)}) as box:
        status = box.status()
        assert status["problems"] and status["problems"][0].startswith("model missing")
        assert "balie models fetch" in status["problems"][0]
        with pytest.raises(urllib.error.HTTPError) as health:
            urllib.request.urlopen(f"http://127.0.0.1:{box.web_port}/api/health", timeout=5)
        assert health.value.code == 503
        assert box.process.poll() is None
        assert box.stop() == 0


def test_first_visit_shows_the_admin_reset_token_once(tmp_path):
    from appliance.device.reset_token import issue_reset_token, verify_reset_token

    data_dir = tmp_path / "data"
    token = issue_reset_token(data_dir)  # what first boot does
    with BoxProcess(data_dir=data_dir) as box:
        first = httpx.get(f"http://{LOOPBACK}:{box.web_port}/", timeout=5).text
        second = httpx.get(f"http://{LOOPBACK}:{box.web_port}/", timeout=5).text
    assert token in first and token not in second
    assert verify_reset_token(data_dir, token)  # shown once, still valid for a password reset
