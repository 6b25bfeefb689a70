"""Load on the webhook receiver: `codi serve` under uvicorn on loopback, real Redis.

Sends a bounded number of signed `pull_request.opened` deliveries (GitHub's own
example, one head SHA per delivery, every tenth one a redelivery of an
earlier delivery id) from a few client processes, each with a few concurrent
httpx connections, then reads Redis back:

- deliveries/s (all deliveries / wall time) and p50/p99 ack latency (client side);
- lost: distinct deliveries acknowledged 202 whose job is not in the arq queue;
- duplicated: acknowledgements that enqueued a job for a delivery already enqueued.

The peer, measured the same way in the same run, is a bare Starlette endpoint
under the same uvicorn that does only the Redis `SET NX` of the delivery id
(no signature check, no JSON, no validation, no enqueue): the ratio is what
codi's verification, validation and enqueueing cost.

    .venv/bin/python bench/webhook_load.py [--deliveries 5000] [--clients 3] [--concurrency 4]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import redis

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


async def _send_all(url: str, deliveries: list[Delivery], concurrency: int) -> list[tuple[str, int, str, float]]:
    results: list[tuple[str, int, str, float]] = []
    queue = iter(deliveries)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=10.0) as client:

        async def lane() -> None:
            for delivery in queue:
                headers = {
                    "X-GitHub-Event": "pull_request",
                    "X-GitHub-Delivery": delivery.delivery_id,
                    "X-Hub-Signature-256": delivery.signature,
                    "Content-Type": "application/json",
                }
                start = time.perf_counter()
                response = await client.post("/webhooks/github", content=delivery.body, headers=headers)
                elapsed = time.perf_counter() - start
                results.append((delivery.delivery_id, response.status_code, response.json().get("status", ""), elapsed))

        await asyncio.gather(*(lane() for _ in range(concurrency)))
    return results


def _client_process(job: tuple[str, list[Delivery], int]) -> list[tuple[str, int, str, float]]:
    url, deliveries, concurrency = job
    return asyncio.run(_send_all(url, deliveries, concurrency))


@dataclass(frozen=True)
class Figures:
    name: str
    per_second: float
    p50_ms: float
    p99_ms: float
    statuses: dict[str, int]
    lost: int
    duplicated: int
    server_cpu_ms: float = 0.0
    """Server CPU time per delivery: what a delivery costs whatever else shares the machine."""


def run_load(
    name: str,
    url: str,
    deliveries: list[Delivery],
    clients: int,
    concurrency: int,
    connection: redis.Redis,
    accepted_key: Callable[[Delivery], str],
) -> Figures:
    """Send every delivery, then count what Redis holds; `accepted_key(delivery)` is the key that proves it taken."""
    slices = [(url, deliveries[i::clients], concurrency) for i in range(clients)]
    with multiprocessing.get_context("spawn").Pool(clients) as pool:
        start = time.perf_counter()
        results = [row for part in pool.map(_client_process, slices) for row in part]
        wall = time.perf_counter() - start
    latencies = sorted(row[3] for row in results)
    statuses: dict[str, int] = {}
    for _, code, status, _ in results:
        statuses[f"{code} {status}"] = statuses.get(f"{code} {status}", 0) + 1
    unique = {d.delivery_id: d for d in deliveries}
    acked = {row[0] for row in results if row[1] == 202}
    present = [connection.exists(accepted_key(unique[delivery_id])) for delivery_id in acked]
    taken = sum(1 for _, code, status, _ in results if code == 202 and status in ("enqueued", "new"))
    return Figures(
        name=name,
        per_second=len(results) / wall,
        p50_ms=statistics.median(latencies) * 1000,
        p99_ms=latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        statuses=statuses,
        lost=present.count(0),
        duplicated=max(0, taken - len(acked)),
    )


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
        f"  server CPU {figures.server_cpu_ms:.3f} ms/delivery (one core: {1000 / figures.server_cpu_ms:.0f}/s)"
        f"  {figures.statuses}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deliveries", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=3, help="client processes")
    parser.add_argument("--concurrency", type=int, default=4, help="connections per client process")
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
        runs = [
            ("codi serve", [sys.executable, "-m", "codi", "serve", "--port", "0"], lambda d: "arq:job:" + d.job_id),
            ("peer: Starlette SET NX", [sys.executable, __file__, "--serve-peer"], lambda d: "peer:delivery:" + d.delivery_id),
        ]
        results = []
        for name, command, accepted in runs:
            server = Server(command, environment)
            try:
                connection.flushdb()
                warm = [Delivery("warm-" + d.delivery_id, d.body, d.signature, d.job_id) for d in warm_up]
                run_load(name, server.url, warm, args.clients, args.concurrency, connection, accepted)
                connection.flushdb()
                cpu_before = server.cpu_seconds()
                figures = run_load(name, server.url, deliveries, args.clients, args.concurrency, connection, accepted)
                cpu_ms = (server.cpu_seconds() - cpu_before) * 1000 / len(deliveries)
                results.append(replace(figures, server_cpu_ms=cpu_ms))
            finally:
                server.stop()
                connection.flushdb()
    print(f"{args.deliveries} deliveries ({args.deliveries // REDELIVERY_EVERY} redeliveries), "
          f"{args.clients} client processes x {args.concurrency} connections, {os.cpu_count()} CPUs")
    for figures in results:
        report(figures)
    codi, peer = results
    print(f"codi / peer: throughput {codi.per_second / peer.per_second:.2f}x, p50 {codi.p50_ms / peer.p50_ms:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
