"""Load on the webhook receiver: `codi serve` under uvicorn on loopback, real Redis.

Sends a bounded number of signed `pull_request.opened` deliveries (GitHub's own
example, one head SHA per delivery, every tenth one a redelivery of an
earlier delivery id) over N keep-alive HTTP/1.1 connections from one lean
client (raw asyncio streams, request bytes signed and built before the clock
starts, so the client takes little of the CPU the server shares), then reads
Redis back:

- deliveries/s (all deliveries / wall time) and p50/p99 ack latency (client side);
- lost: distinct deliveries acknowledged 202 whose job is not both stored
  (`arq:job:<id>`) and queued (`arq:queue`);
- duplicated: answers that enqueued a delivery's job after another answer had
  already enqueued it;
- CPU time per delivery of the server process and of the client.

The peer, measured the same way in the same run, is a bare Starlette endpoint
under the same uvicorn that does only the Redis `SET NX` of the delivery id
(no signature check, no JSON, no validation, no enqueue): the ratio is what
codi's verification, validation and enqueueing cost. Client, server and Redis
share the machine's cores (2 on the reference box), so the server's CPU time
per delivery is the figure its throughput follows; the target is ≥ 1,000
deliveries/s with p99 < 50 ms, none lost, none duplicated.

    .venv/bin/python bench/webhook_load.py [--deliveries 5000] [--connections 12]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

import redis
from arq.constants import default_queue_name, job_key_prefix

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SECRET = "bench-secret"
REDIS_DB = 14
"""A DB no test flushes (tests/app uses 3, tests/worker 5)."""
REDELIVERY_EVERY = 10


def redis_url() -> str:
    base = urlsplit(os.environ.get("CODI_TEST_REDIS_URL", "redis://127.0.0.1:6379"))
    return base._replace(path=f"/{REDIS_DB}").geturl()


@dataclass(frozen=True)
class Delivery:
    delivery_id: str
    body: bytes
    signature: str
    job_id: str


def make_deliveries(count: int) -> list[Delivery]:
    """`count` signed deliveries; every REDELIVERY_EVERY-th repeats an earlier one (same id and body)."""
    examples = json.loads((SHARED / "github" / "webhook-examples.json").read_text())
    (pull_request,) = [e for e in examples if e["name"] == "pull_request"]
    template = next(e for e in pull_request["examples"] if e.get("action") == "opened" and e.get("installation"))
    deliveries: list[Delivery] = []
    for index in range(count):
        if index and index % REDELIVERY_EVERY == 0:
            deliveries.append(deliveries[index // 2])
            continue
        sha = hashlib.sha1(str(index).encode()).hexdigest()
        template["pull_request"]["head"]["sha"] = sha
        body = json.dumps(template).encode()
        signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        job_id = f"review:Codertocat/Hello-World#{template['number']}@{sha}"
        deliveries.append(Delivery(f"bench-{index}", body, signature, job_id))
    return deliveries


def request_bytes(host: str, delivery: Delivery) -> bytes:
    """The whole HTTP/1.1 request GitHub would send for `delivery`, built once before the clock starts."""
    head = (
        f"POST /webhooks/github HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"X-GitHub-Event: pull_request\r\nX-GitHub-Delivery: {delivery.delivery_id}\r\n"
        f"X-Hub-Signature-256: {delivery.signature}\r\nContent-Length: {len(delivery.body)}\r\n\r\n"
    )
    return head.encode() + delivery.body


@dataclass(frozen=True)
class Answer:
    delivery_id: str
    code: int
    status: str
    """The `status` field of the JSON answer ("enqueued", "duplicate", …), "" when there is none."""
    seconds: float


async def _read_answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """One HTTP/1.1 response on a keep-alive connection: its status code and its Content-Length body."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    code = int(lines[0].split(b" ", 2)[1])
    length = next(int(line.partition(b":")[2]) for line in lines[1:] if line[:15].lower() == b"content-length:")
    return code, await reader.readexactly(length)


async def send_all(url: str, deliveries: list[Delivery], connections: int) -> list[Answer]:
    """Every delivery over `connections` keep-alive connections, each sending its next request once answered."""
    address = urlsplit(url)
    host, port = address.hostname or "127.0.0.1", address.port or 80
    requests = [(delivery.delivery_id, request_bytes(address.netloc, delivery)) for delivery in deliveries]
    pending = iter(requests)
    answers: list[Answer] = []

    async def lane() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            for delivery_id, request in pending:
                start = time.perf_counter()
                writer.write(request)
                code, body = await _read_answer(reader)
                elapsed = time.perf_counter() - start
                answers.append(Answer(delivery_id, code, json.loads(body).get("status", ""), elapsed))
        finally:
            writer.close()
            await writer.wait_closed()

    await asyncio.gather(*(lane() for _ in range(connections)))
    return answers


@dataclass(frozen=True)
class Figures:
    name: str
    per_second: float
    p50_ms: float
    p99_ms: float
    statuses: dict[str, int]
    lost: int
    duplicated: int
    client_cpu_ms: float
    """The load generator's CPU time per delivery: what it takes from the cores the server shares."""
    server_cpu_ms: float = 0.0
    """Server CPU time per delivery: what a delivery costs whatever else shares the machine."""


StoredCheck = Callable[[redis.Redis, list[Delivery]], list[bool]]
"""For each delivery, whether Redis holds what proves it taken."""


def arq_job_stored(connection: redis.Redis, deliveries: list[Delivery]) -> list[bool]:
    """The job's data is under `arq:job:<id>` and its id is in the `arq:queue` sorted set."""
    pipe = connection.pipeline(transaction=False)
    for delivery in deliveries:
        pipe.exists(job_key_prefix + delivery.job_id)
        pipe.zscore(default_queue_name, delivery.job_id)
    replies = pipe.execute()
    return [bool(replies[i]) and replies[i + 1] is not None for i in range(0, len(replies), 2)]


def peer_claim_stored(connection: redis.Redis, deliveries: list[Delivery]) -> list[bool]:
    pipe = connection.pipeline(transaction=False)
    for delivery in deliveries:
        pipe.exists("peer:delivery:" + delivery.delivery_id)
    return [bool(reply) for reply in pipe.execute()]


TAKEN = ("enqueued", "new")
"""Answers that say this request put the delivery's job in Redis (codi's and the peer's)."""


def run_load(
    name: str, url: str, deliveries: list[Delivery], connections: int, connection: redis.Redis, stored: StoredCheck
) -> Figures:
    """Send every delivery, then count what Redis holds against what was acknowledged."""
    cpu_start, start = time.process_time(), time.perf_counter()
    answers = run_client(send_all(url, deliveries, connections))
    wall, client_cpu = time.perf_counter() - start, time.process_time() - cpu_start
    latencies = sorted(answer.seconds for answer in answers)
    statuses: dict[str, int] = {}
    for answer in answers:
        statuses[f"{answer.code} {answer.status}"] = statuses.get(f"{answer.code} {answer.status}", 0) + 1
    by_id = {delivery.delivery_id: delivery for delivery in deliveries}
    acknowledged = sorted({answer.delivery_id for answer in answers if answer.code == 202})
    taken: dict[str, int] = {}
    for answer in answers:
        if answer.code == 202 and answer.status in TAKEN:
            taken[answer.delivery_id] = taken.get(answer.delivery_id, 0) + 1
    return Figures(
        name=name,
        per_second=len(answers) / wall,
        p50_ms=statistics.median(latencies) * 1000,
        p99_ms=latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        statuses=statuses,
        lost=stored(connection, [by_id[delivery_id] for delivery_id in acknowledged]).count(False),
        duplicated=sum(count - 1 for count in taken.values()),
        client_cpu_ms=client_cpu * 1000 / len(answers),
    )


def run_client(coroutine: Coroutine[None, None, list[Answer]]) -> list[Answer]:
    """uvloop when installed (it is, with uvicorn[standard]): the leaner loop leaves more CPU to the server."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


# --- the peer: SET NX only -------------------------------------------------------------------------------------

def peer_app():  # type: ignore[no-untyped-def]
    from redis.asyncio import Redis
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    connection = Redis.from_url(redis_url())

    async def receive(request: Request) -> JSONResponse:
        await request.body()
        claimed = await connection.set("peer:delivery:" + request.headers["x-github-delivery"], b"1", nx=True, ex=259200)
        return JSONResponse({"status": "new" if claimed else "duplicate"}, status_code=202)

    return Starlette(routes=[Route("/webhooks/github", receive, methods=["POST"])])


def serve_peer() -> None:
    import uvicorn

    uvicorn.run(peer_app(), host="127.0.0.1", port=0)


# --- servers as processes ----------------------------------------------------------------------------------------

class Server:
    """A uvicorn process; its URL is read from its start-up line, its log drained in a thread."""

    def __init__(self, command: list[str], environment: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        assert self.process.stderr is not None
        for line in self.process.stderr:
            if found := re.search(r"Uvicorn running on (http://\S+)", line):
                self.url = found.group(1)
                break
        else:
            raise SystemExit(f"server {command} exited with {self.process.wait()} before listening")
        threading.Thread(target=self.process.stderr.read, daemon=True).start()

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process has used so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def report(figures: Figures) -> None:
    print(
        f"{figures.name:<22} {figures.per_second:>8.0f}/s  p50 {figures.p50_ms:6.2f} ms  p99 {figures.p99_ms:6.2f} ms"
        f"  lost {figures.lost}  duplicated {figures.duplicated}"
        f"  CPU/delivery server {figures.server_cpu_ms:.3f} ms client {figures.client_cpu_ms:.3f} ms"
        f"  {figures.statuses}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deliveries", type=int, default=5000)
    parser.add_argument("--connections", type=int, default=12, help="concurrent keep-alive connections")
    parser.add_argument("--serve-peer", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_peer:
        serve_peer()
        return 0

    subprocess.run([ROOT / "scripts" / "services"], check=True)
    connection = redis.Redis.from_url(redis_url())
    deliveries = make_deliveries(args.deliveries)
    warm_up = make_deliveries(200)
    with tempfile.NamedTemporaryFile("w", suffix=".pem") as key:
        key.write("unused by the receiver\n")
        key.flush()
        environment = {name: value for name, value in os.environ.items() if not name.startswith("CODI_")} | {
            "CODI_WEBHOOK_SECRET": SECRET,
            "CODI_GITHUB_APP_ID": "1",
            "CODI_GITHUB_PRIVATE_KEY_PATH": key.name,
            "CODI_REDIS_URL": redis_url(),
        }
        runs: list[tuple[str, list[str], StoredCheck]] = [
            ("codi serve", [sys.executable, "-m", "codi", "serve", "--port", "0"], arq_job_stored),
            ("peer: Starlette SET NX", [sys.executable, __file__, "--serve-peer"], peer_claim_stored),
        ]
        results = []
        for name, command, stored in runs:
            server = Server(command, environment)
            try:
                connection.flushdb()
                warm = [Delivery("warm-" + d.delivery_id, d.body, d.signature, d.job_id) for d in warm_up]
                run_load(name, server.url, warm, args.connections, connection, stored)
                connection.flushdb()
                cpu_before = server.cpu_seconds()
                figures = run_load(name, server.url, deliveries, args.connections, connection, stored)
                cpu_ms = (server.cpu_seconds() - cpu_before) * 1000 / len(deliveries)
                results.append(replace(figures, server_cpu_ms=cpu_ms))
            finally:
                server.stop()
                connection.flushdb()
    print(f"{args.deliveries} deliveries ({(args.deliveries - 1) // REDELIVERY_EVERY} redeliveries), "
          f"one client process x {args.connections} connections, {os.cpu_count()} CPUs")
    for figures in results:
        report(figures)
    codi, peer = results
    print(f"codi / peer: throughput {codi.per_second / peer.per_second:.2f}x, p50 {codi.p50_ms / peer.p50_ms:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
