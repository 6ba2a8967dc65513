"""external/service.py: the partners' local HTTP service starts, serves and stops cleanly."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import requests

from workshop_site.external import DEFAULT_API_KEY, PartnerService

AUTH = {"Authorization": f"Bearer {DEFAULT_API_KEY}"}


def _port_is_closed(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def _service_threads() -> set[threading.Thread]:
    return set(threading.enumerate())


def test_it_listens_on_loopback_only_and_answers():
    with PartnerService() as service:
        assert service.url.startswith("http://127.0.0.1:")
        response = requests.get(f"{service.url}/stock/5", headers=AUTH, timeout=2)
        assert response.status_code == 200
        assert response.json()["listing"] == 5
        assert [(h.partner, h.status) for h in service.hits()] == [("stock", 200)]


def test_stop_closes_the_port_and_joins_every_thread_even_with_a_kept_alive_client():
    before = _service_threads()
    service = PartnerService().start()
    port = service.port
    session = requests.Session()  # keeps its connection open: a request thread waits on it
    assert session.get(f"{service.url}/stock/1", headers=AUTH, timeout=2).ok
    assert len(_service_threads() - before) >= 2  # the accept loop and a request thread
    service.stop()
    assert _service_threads() - before == set()
    assert _port_is_closed(port)
    session.close()


def test_stop_releases_a_hanging_request_at_once():
    before = _service_threads()
    service = PartnerService(hang_limit=60).start()
    service.configure("stock", hang=True)
    outcome: dict[str, object] = {}

    def call() -> None:
        response = requests.get(f"{service.url}/stock/1", headers=AUTH, timeout=30)
        outcome["status"] = response.status_code

    caller = threading.Thread(target=call)
    caller.start()
    while service.in_flight == 0:
        time.sleep(0.01)  # the request is in: the partner is now hanging on it
    service.stop()  # the hang limit is a minute: only stop() can end this quickly
    caller.join(timeout=5)
    assert not caller.is_alive(), "the hanging request still holds a thread after stop()"
    assert outcome["status"] == 503
    assert _service_threads() - before == set()


def test_start_and_stop_are_idempotent_and_a_service_restarts():
    service = PartnerService()
    service.stop()  # never started: nothing to do
    first = service.start().port
    assert service.start().port == first
    service.stop()
    service.stop()
    assert not service.running
    with pytest.raises(RuntimeError, match="not running: call start"):
        service.url  # noqa: B018
    with service:
        assert requests.get(f"{service.url}/stock/1", headers=AUTH, timeout=2).ok


def test_without_the_key_the_partner_refuses():
    with PartnerService() as service:
        response = requests.get(f"{service.url}/stock/5", timeout=2)
        assert response.status_code == 401
        assert "API key" in response.json()["error"]


def test_an_unknown_path_is_a_404_naming_it():
    with PartnerService() as service:
        response = requests.get(f"{service.url}/nothing", headers=AUTH, timeout=2)
        assert response.status_code == 404
        assert response.json()["error"] == "no partner serves GET /nothing"


def test_a_hang_is_held_until_the_hang_limit_then_answered():
    with PartnerService(hang_limit=0.3) as service, service.behaving("stock", hang=True):
        response = requests.get(f"{service.url}/stock/5", headers=AUTH, timeout=5)
        assert response.status_code == 200
        assert service.hits("stock")[0].seconds >= 0.3


def test_a_client_timeout_cuts_a_hang_short():
    with PartnerService(hang_limit=5) as service:
        service.configure("stock", hang=True)
        with pytest.raises(requests.ReadTimeout):
            requests.get(f"{service.url}/stock/5", headers=AUTH, timeout=(1, 0.1))


def test_failures_are_503_and_behaviour_is_per_partner():
    with PartnerService() as service:
        service.configure("stock", failure_rate=1.0)
        failed = requests.get(f"{service.url}/stock/5", headers=AUTH, timeout=2)
        assert failed.status_code == 503
        assert failed.json()["error"] == "stock is unavailable (simulated failure)"
        quote = requests.get(
            f"{service.url}/shipping/quote", params={"postcode": "69001"}, headers=AUTH, timeout=2
        )
        assert quote.status_code == 200


def test_behaving_restores_and_reset_clears_hits():
    with PartnerService() as service:
        with service.behaving("payment", delay=0.05):
            assert service.behaviour("payment").delay == 0.05
        assert service.behaviour("payment").delay == 0.0
        requests.get(f"{service.url}/stock/5", headers=AUTH, timeout=2)
        service.configure("crm", failure_rate=0.5)
        service.reset()
        assert service.hits() == []
        assert service.behaviour("crm").failure_rate == 0.0


def test_a_delay_is_served_concurrently():
    with PartnerService() as service:
        service.configure("stock", delay=0.2)
        results: list[int] = []

        def call(n: int) -> None:
            url = f"{service.url}/stock/{n}"
            results.append(requests.get(url, headers=AUTH, timeout=2).status_code)

        callers = [threading.Thread(target=call, args=(n,)) for n in range(4)]
        for caller in callers:
            caller.start()
        for caller in callers:
            caller.join()
        assert results == [200] * 4
        # Four delayed requests at once: each took the delay, none waited for another.
        assert all(0.2 <= hit.seconds < 0.8 for hit in service.hits())


def test_a_bad_json_body_is_a_400():
    with PartnerService() as service:
        response = requests.post(
            f"{service.url}/payments",
            data=b"{not json",
            headers={**AUTH, "Content-Type": "application/json"},
            timeout=2,
        )
        assert response.status_code == 400
        assert response.json()["error"] == "the body is not JSON"


def test_a_fixed_port_is_used_as_given():
    with socket.socket() as probe:  # find a port that is free now
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    with PartnerService(port=free) as service:
        assert service.url == f"http://127.0.0.1:{free}"
