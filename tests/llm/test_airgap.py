"""The air gap against real sockets and a real HTTP server on this machine."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from codi.llm import AirGap, AirGapViolation


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(0.5)
        yield server


def connected(server: socket.socket) -> bool:
    """Whether a connection reached the listener."""
    try:
        peer, _ = server.accept()
    except TimeoutError:
        return False
    peer.close()
    return True


class Hello(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"hello")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_a_connect_to_a_host_off_the_list_never_happens(listener: socket.socket) -> None:
    with AirGap().active(), pytest.raises(AirGapViolation, match=r"may not reach '127\.0\.0\.1' \(allowed: nothing\)"):
        socket.create_connection(listener.getsockname(), timeout=1)
    assert not connected(listener)


def test_an_allowed_address_connects(listener: socket.socket) -> None:
    with AirGap(["127.0.0.1"]).active(), socket.create_connection(listener.getsockname(), timeout=1):
        assert connected(listener)


def test_an_allowed_name_allows_the_addresses_it_resolves_to(listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    with AirGap(["localhost"]).active(), socket.create_connection(("localhost", port), timeout=1):
        assert connected(listener)


def test_not_even_the_name_lookup_goes_out() -> None:
    with AirGap(["127.0.0.1"]).active(), pytest.raises(AirGapViolation, match="'huggingface.co'"):
        socket.getaddrinfo("huggingface.co", 443)
    with AirGap().active(), pytest.raises(AirGapViolation, match="'example.com'"):
        socket.gethostbyname("example.com")


def test_an_http_client_gets_the_violation_not_a_retryable_network_error(http_url: str) -> None:
    with AirGap().active(), pytest.raises(AirGapViolation):
        httpx.get(http_url, trust_env=False)
    with AirGap(["127.0.0.1"]).active():
        assert httpx.get(http_url, trust_env=False).text == "hello"


def test_the_guard_covers_only_the_context_that_entered_it(listener: socket.socket) -> None:
    reached: list[bool] = []

    def elsewhere() -> None:
        with socket.create_connection(listener.getsockname(), timeout=1):
            reached.append(connected(listener))

    with AirGap().active():
        thread = threading.Thread(target=elsewhere)
        thread.start()
        thread.join()
    assert reached == [True]
    with socket.create_connection(listener.getsockname(), timeout=1):
        assert connected(listener)


def test_unix_sockets_stay_on_the_machine_and_are_allowed(tmp_path: Path) -> None:
    path = str(tmp_path / "s")
    with socket.socket(socket.AF_UNIX) as server, AirGap().active():
        server.bind(path)
        server.listen()
        with socket.socket(socket.AF_UNIX) as client:
            client.connect(path)
