"""The air-gap guard: inside `with guard.active():` no Python code may reach a host off the allow-list.

The local model must never fetch anything (weights, tokenizers, telemetry) at run time. The guard
is a `sys.addaudithook` hook, so it sees every `socket` connect, send and name lookup whatever library
makes it (urllib, requests, httpx, huggingface_hub), and refuses before a packet leaves. It is active
only in the context (thread or task) that entered it: the worker's own GitHub calls are not affected.
Name lookups are refused too, so not even a DNS query for an off-list host goes out. Native code that
opens sockets without Python (llama.cpp itself has none) is out of its reach.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_active: ContextVar[AirGap | None] = ContextVar("codi_llm_airgap", default=None)
_hook_lock = threading.Lock()
_hook_installed = False


class AirGapViolation(RuntimeError):
    """Code on the LLM path tried to reach a host that is not on the allow-list.

    A RuntimeError, not an OSError, so HTTP clients do not take it for a network hiccup and retry.
    """


class AirGap:
    """An allow-list of hosts (names or IP addresses) that the LLM path may reach; empty means none.

    A name also allows the addresses it resolves to when the guard is made; an allowed name that does
    not resolve then allows its lookups but no connection.
    """

    def __init__(self, allowed_hosts: Iterable[str] = ()) -> None:
        self.allowed_hosts = frozenset(host.lower() for host in allowed_hosts)
        self._allowed_addresses = frozenset(_resolve(self.allowed_hosts))

    @contextmanager
    def active(self) -> Iterator[None]:
        """Refuse off-list connections and lookups from the current context until the block ends."""
        _install_hook()
        token = _active.set(self)
        try:
            yield
        finally:
            _active.reset(token)

    def check(self, host: str) -> None:
        """Raise `AirGapViolation` unless `host` (a name or an address) is allowed."""
        host = host.lower().split("%", 1)[0]  # an IPv6 scope id names an interface, not a host
        try:
            allowed = ipaddress.ip_address(host) in self._allowed_addresses
        except ValueError:
            allowed = host in self.allowed_hosts
        if not allowed:
            listed = ", ".join(sorted(self.allowed_hosts)) or "nothing"
            raise AirGapViolation(f"air gap: the LLM path may not reach {host!r} (allowed: {listed})")


def _resolve(hosts: Iterable[str]) -> Iterator[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    for host in hosts:
        try:
            yield ipaddress.ip_address(host)
            continue
        except ValueError:
            pass
        try:
            infos = socket.getaddrinfo(host, None)
        except socket.gaierror:
            continue
        for *_, sockaddr in infos:
            yield ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])


def _install_hook() -> None:
    """Audit hooks cannot be removed, so there is one for the process, inert outside a guard."""
    global _hook_installed
    with _hook_lock:
        if not _hook_installed:
            sys.addaudithook(_audit)
            _hook_installed = True


_NAME_EVENTS = {"socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex", "socket.gethostbyaddr"}
_SEND_EVENTS = {"socket.connect", "socket.sendto", "socket.sendmsg"}
_INET = {socket.AF_INET, socket.AF_INET6}


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if not event.startswith("socket."):
        return
    guard = _active.get()
    if guard is None:
        return
    if event in _NAME_EVENTS:
        host = args[0]
        if host is not None:  # getaddrinfo(None, port) names the local host, for binding
            guard.check(host.decode() if isinstance(host, bytes) else str(host))
    elif event in _SEND_EVENTS:
        sock, address = args[0], args[1]
        if sock.family in _INET and address is not None:  # Unix sockets never leave the machine
            host = address[0]
            guard.check(host.decode() if isinstance(host, bytes) else str(host))
