"""What was measured on built images, and the verdict on each candidate against the original.

Pure data and pure judgement: the build runner (an edge) fills `Measurements`
per image and the evidence store keeps them; `judge` turns the original's and
the candidates' records into `ImageReport`s — pass/fail with the reason, and
size, layer, vulnerability and secret deltas. Judging happens here, not at
build time, so a reused record is judged against today's original: a
candidate fails when its build or smoke test failed, when it exits with
another code than the original (exit-code smoke test), or when it lacks an
application file the original has.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from codi.pipeline.parser import parse
from codi.pipeline.optimize.preservation import runtime_profile

SmokeMethod = Literal["command", "port", "exit-code"]
MISSING_FILES_SHOWN = 20
"""A rejection names at most this many missing files (then says how many more)."""
PRUNED_TREES = ("node_modules", "__pycache__")
"""Dependency and cache trees a candidate may deliberately prune (dev dependencies, bytecode caches):
their files are not application files."""


@dataclass(frozen=True, slots=True, order=True)
class SecretFinding:
    """A secret left in an image: where and what kind — never the value."""

    path: str
    kind: str


@dataclass(frozen=True)
class ScanSummary:
    """Vulnerabilities a scanner found, by severity. A build that was not scanned has no summary (None), not zeros."""

    scanner: str
    """Which scanner and version, e.g. `trivy 0.50.1`."""
    critical: int
    high: int
    medium: int
    low: int
    unknown: int

    @property
    def total(self) -> int:
        return self.critical + self.high + self.medium + self.low + self.unknown

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ScanSummary:
        return cls(**data)


@dataclass(frozen=True)
class Measurements:
    """What was measured on a built image (the build runner fills it in)."""

    size_bytes: int
    layers: int
    layer_sizes: tuple[int, ...]
    """Bytes per layer, bottom (base) first."""
    build_seconds: float
    cached_steps: int
    """Steps the engine took from its layer cache instead of running them."""
    cache_mounts: Literal["native", "emulated", "stripped", "none"]
    """How `RUN --mount=type=cache` was honoured: BuildKit, emulated or stripped by the legacy builder, or unused."""
    wasted_bytes: int | None
    """Bytes a layer adds that a later layer deletes or overwrites (dive's figure: every copy counts); None when not analysed."""
    smoke: Literal["pass", "fail", "skipped"]
    smoke_stop_seconds: float | None
    """Seconds the smoke-tested container took to stop on SIGTERM; None when it was not run."""
    efficiency: float | None = None
    """dive's image efficiency: bytes of the smallest copy of each path over bytes of all copies (1.0 = no waste)."""
    smoke_method: SmokeMethod | None = None
    smoke_exit_code: int | None = None
    """The run's exit code (exit-code and command tests); None when it was stopped or never exited."""
    smoke_reason: str | None = None
    """Why the smoke test failed, or what it observed (`still running after 20s`)."""
    secrets: tuple[SecretFinding, ...] = ()
    """Secrets in any layer, also ones a later layer deleted."""
    components: int | None = None
    """Packages in the image's SBOM; None when no SBOM was read."""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Measurements:
        secrets = tuple(SecretFinding(**item) for item in data.get("secrets", ()))
        return cls(**{**data, "layer_sizes": tuple(data["layer_sizes"]), "secrets": secrets})


@dataclass(frozen=True)
class MeasuredImage:
    """One image's evidence as the judge needs it: the record, plus where it came from."""

    strategy: str
    """`original`, `fixes`, `multi-stage` or `minimal`."""
    dockerfile: str
    key: str
    reused: bool
    """The record existed already: nothing was rebuilt."""
    result: Literal["pass", "fail"]
    """The build's own result (a failed smoke test is already `fail`)."""
    measurements: Measurements | None
    scan: ScanSummary | None
    failure_reason: str | None
    log_tail: str | None
    app_files: Mapping[str, int] | None
    """Path → size of the files under the image's application paths; None when not read."""
    log_path: str | None = None
    sbom_path: str | None = None


@dataclass(frozen=True)
class ImageReport:
    """The verdict on one image and what it measured, with deltas against the original."""

    strategy: str
    status: Literal["pass", "fail"]
    reason: str | None
    size_bytes: int | None
    layers: int | None
    build_seconds: float | None
    smoke: Literal["pass", "fail", "skipped"]
    wasted_bytes: int | None
    efficiency: float | None
    vulnerabilities: ScanSummary | None
    """None: not scanned (never zero)."""
    secrets: tuple[SecretFinding, ...]
    size_delta_ratio: float | None
    """(candidate − original) / original; None for the original or when either size is unknown."""
    layers_delta: int | None
    vulnerabilities_delta: int | None
    """None unless both images were scanned."""
    secrets_delta: int | None
    missing_files: tuple[str, ...]
    reused: bool
    key: str
    cache_mounts: str | None
    log_path: str | None
    sbom_path: str | None
    smoke_stop_seconds: float | None
    log_tail: str | None = None
    """The end of the build or smoke-test log of a failed image."""
    differing_files: int = 0
    """Application files the candidate lacks, adds or holds at another size than the original."""

    def as_json(self) -> dict[str, Any]:
        """The report as `codi optimize --build --format json` prints it (vulnerabilities: counts or "not scanned")."""
        document: dict[str, Any] = {
            name: getattr(self, name)
            for name in self.__dataclass_fields__
            if name not in ("vulnerabilities", "secrets", "missing_files")
        }
        scan = self.vulnerabilities
        document["vulnerabilities"] = (
            "not scanned"
            if scan is None
            else {"scanner": scan.scanner, "total": scan.total, **{s: getattr(scan, s) for s in SEVERITIES}}
        )
        document["secrets"] = [{"path": s.path, "kind": s.kind} for s in self.secrets]
        document["missing_files"] = list(self.missing_files)
        return document


SEVERITIES = ("critical", "high", "medium", "low", "unknown")


@dataclass(frozen=True)
class MeasuredBuilds:
    """A review's measured images per Dockerfile path (original first), and a note when nothing could be built."""

    reports: Mapping[str, tuple[ImageReport, ...]]
    note: str | None = None

    def report(self, path: str, strategy: str) -> ImageReport | None:
        return next((r for r in self.reports.get(path, ()) if r.strategy == strategy), None)


def application_roots(dockerfile: str) -> tuple[str, ...]:
    """Where the image keeps its application: every COPY/ADD destination of the image's stages.

    Not the WORKDIR as such: a multi-stage candidate deliberately leaves the sources and build
    files there behind and copies only the built artefact, whose destination is then the root.
    `/` is never a root (a whole-filesystem comparison would count the OS as the application).
    """
    profile = runtime_profile(parse(dockerfile))
    roots = {posixpath.normpath(mapping.destination) for mapping in profile.files}
    return tuple(sorted(root for root in roots if root != "/"))


def is_application_file(path: str, roots: Sequence[str]) -> bool:
    """Under one of the roots and outside the trees a candidate may prune (`node_modules`, `__pycache__`)."""
    if any(part in PRUNED_TREES for part in path.split("/")):
        return False
    return any(path == root or path.startswith(root.rstrip("/") + "/") for root in roots)


@dataclass(frozen=True)
class FileDifference:
    """An application file the candidate lacks, adds, or holds at another size."""

    path: str
    original_size: int | None
    """None when only the candidate has it."""
    candidate_size: int | None
    """None when the candidate lacks it."""


def application_file_differences(original: MeasuredImage, candidate: MeasuredImage) -> tuple[FileDifference, ...]:
    """Application files (under the candidate's application roots) that differ between the images, by path.

    Sizes, not contents, are compared: a rebuilt file's bytes may legitimately differ (timestamps in
    compiled output); a missing one means the candidate dropped part of the application.
    """
    if original.app_files is None or candidate.app_files is None:
        return ()
    roots = application_roots(candidate.dockerfile)
    before = {path: size for path, size in original.app_files.items() if is_application_file(path, roots)}
    after = {path: size for path, size in candidate.app_files.items() if is_application_file(path, roots)}
    return tuple(
        FileDifference(path, before.get(path), after.get(path))
        for path in sorted(before.keys() | after.keys())
        if before.get(path) != after.get(path)
    )


def judge(original: MeasuredImage, candidates: Sequence[MeasuredImage]) -> tuple[ImageReport, ...]:
    """The original's report, then each candidate's verdict with its deltas, in the candidates' order."""
    return (_report(original, None), *(_report(candidate, original) for candidate in candidates))


def _report(image: MeasuredImage, original: MeasuredImage | None) -> ImageReport:
    m = image.measurements
    reason = image.failure_reason
    differences: tuple[FileDifference, ...] = ()
    missing: tuple[str, ...] = ()
    smoke = m.smoke if m is not None else "skipped"
    if image.result == "pass" and original is not None:
        smoke_reason = _exit_code_mismatch(original, image)
        if smoke_reason is not None:
            smoke, reason = "fail", f"smoke test failed: {smoke_reason}"
        differences = application_file_differences(original, image)
        missing = tuple(d.path for d in differences if d.candidate_size is None)
        if missing and reason is None:
            reason = _missing_reason(missing)
    status: Literal["pass", "fail"] = "pass" if image.result == "pass" and reason is None else "fail"
    om = original.measurements if original is not None else None
    return ImageReport(
        strategy=image.strategy,
        status=status,
        reason=reason,
        size_bytes=m.size_bytes if m else None,
        layers=m.layers if m else None,
        build_seconds=m.build_seconds if m else None,
        smoke=smoke,
        wasted_bytes=m.wasted_bytes if m else None,
        efficiency=m.efficiency if m else None,
        vulnerabilities=image.scan,
        secrets=m.secrets if m else (),
        size_delta_ratio=(m.size_bytes - om.size_bytes) / om.size_bytes if m and om and om.size_bytes else None,
        layers_delta=m.layers - om.layers if m and om else None,
        vulnerabilities_delta=(
            image.scan.total - original.scan.total if original is not None and image.scan and original.scan else None
        ),
        secrets_delta=len(m.secrets) - len(om.secrets) if m and om else None,
        missing_files=missing,
        reused=image.reused,
        key=image.key,
        cache_mounts=m.cache_mounts if m else None,
        log_path=image.log_path,
        sbom_path=image.sbom_path,
        smoke_stop_seconds=m.smoke_stop_seconds if m else None,
        log_tail=image.log_tail if status == "fail" else None,
        differing_files=len(differences),
    )


def _exit_code_mismatch(original: MeasuredImage, candidate: MeasuredImage) -> str | None:
    """For the exit-code smoke test: why the candidate did not behave like the original, or None."""
    om, cm = original.measurements, candidate.measurements
    if om is None or cm is None or cm.smoke_method != "exit-code" or om.smoke_method != "exit-code":
        return None
    if cm.smoke_exit_code == om.smoke_exit_code:
        return None  # same code, or both still running at the time limit

    def said(code: int | None) -> str:
        return "kept running" if code is None else f"exited {code}"

    return f"{said(cm.smoke_exit_code)}, the original {said(om.smoke_exit_code)}"


def _missing_reason(missing: tuple[str, ...]) -> str:
    shown = ", ".join(missing[:MISSING_FILES_SHOWN])
    more = f" and {len(missing) - MISSING_FILES_SHOWN} more" if len(missing) > MISSING_FILES_SHOWN else ""
    return f"missing application files the original has: {shown}{more}"
