"""Build, measure, scan and smoke-test one Dockerfile, recording the evidence; reuse it when the inputs are the same.

The edge that ties the build runner (`build.py`), the `docker save` analysis
(`layers.py`, `scan.py`) and the evidence store together. `ImageLab.measure`
computes the build's idempotency key first — base image ids, Dockerfile
text, build-context hash (`.dockerignore` honoured), platform, module
versions, codi version — and builds only when the store has no record for
it. Each build leaves its artefacts under `artefacts_dir/<key>/`: the build
log, the CycloneDX SBOM and the application files (path → size). The image
itself is removed once measured (vfs keeps a full copy of every layer).
Judging candidates against the original is `codi.pipeline.measured.judge`.
"""

from __future__ import annotations

import hashlib
import json
import os
import tarfile
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import docker.errors
from docker.utils.build import exclude_paths

from codi import __version__
from codi.pipeline.config import SmokeSettings
from codi.pipeline.measured import (
    ImageReport,
    MeasuredImage,
    ScanSummary,
    SecretFinding,
    application_roots,
    is_application_file,
    judge,
)
from codi.pipeline.optimize.model import Candidate
from codi.pipeline.parser import parse
from codi.pipeline.semantic import SemanticModel
from codi.storage.evidence import BuildEvidence, BuildFailure, BuildOutcome, EvidenceStore, idempotency_key
from codi.worker.build import CPU_PERIOD_US, BuildFailed, BuiltImage, DockerBuildRunner, SmokeResult
from codi.worker.layers import final_filesystem, layer_waste
from codi.worker.scan import ScannerFailed, cyclonedx_json, read_components, read_image_archive, scan_vulnerabilities

SAVE_CHUNK_BYTES = 1024 * 1024
Progress = Callable[[str], None]


@dataclass(frozen=True)
class BuildLimits:
    """Per-build limits: wall time, memory (bytes) and CPUs of the build and of its smoke-test containers, and the
    exit-code smoke test's wait."""

    timeout_s: float = 900.0
    memory_bytes: int = 4 * 1024**3
    cpus: float = 2.0
    exit_code_timeout_s: float = 20.0
    """The exit-code smoke test waits this long for the container to exit (a server keeps running);
    the other smoke tests take `.codi.yml`'s `smoke-test.timeout`."""


class BaseImageMissing(Exception):
    """A base image is not on the build host, and no registry can be reached to pull it."""


def context_hash(context_dir: Path) -> str:
    """sha256 over the build context as the engine receives it: the files `.dockerignore` leaves, by path,
    each with its executable bit and content digest."""
    root = context_dir.resolve()
    ignore = root / ".dockerignore"
    patterns: list[str] = []
    if ignore.is_file():
        lines = ignore.read_text(encoding="utf-8", errors="replace").splitlines()
        patterns = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    digest = hashlib.sha256()
    for relative in sorted(exclude_paths(str(root), patterns)):
        path = root / relative
        if path.is_symlink():
            entry = f"L {relative} {os.readlink(path)}"
        elif path.is_dir():
            entry = f"D {relative}"
        else:
            content = hashlib.sha256(path.read_bytes()).hexdigest()
            entry = f"F {relative} {os.access(path, os.X_OK):d} {content}"
        digest.update(entry.encode("utf-8", "surrogateescape") + b"\0")
    return "sha256:" + digest.hexdigest()


def external_images(dockerfile: str) -> tuple[str, ...]:
    """Images the build starts FROM or copies from that are not its own stages (scratch excluded), sorted."""
    model = SemanticModel(parse(dockerfile))
    names = {stage.image.raw for stage in model.stages if stage.parent is None and not stage.image.is_scratch}
    for stage in model.stages:
        names.update(ref for ref in stage.copies_from() if not model.is_stage_reference(ref, stage) and not ref.isdigit())
    return tuple(sorted(names))


class ImageLab:
    """Measures Dockerfiles on one engine and platform, writing one evidence record per distinct build."""

    def __init__(
        self,
        runner: DockerBuildRunner,
        store: EvidenceStore,
        artefacts_dir: Path,
        platform: str = "linux/amd64",
        limits: BuildLimits = BuildLimits(),
        progress: Progress = lambda message: None,
    ) -> None:
        self.runner = runner
        self.store = store
        self.artefacts_dir = artefacts_dir
        self.platform = platform
        self.limits = limits
        self.progress = progress

    def key(self, dockerfile: str, context_dir: Path, module_versions: Sequence[tuple[str, str]] = ()) -> str:
        """The build's idempotency key; `BaseImageMissing` when a base image is not on the engine."""
        return idempotency_key(
            self._base_ids(dockerfile),
            dockerfile,
            context_hash(context_dir),
            self.platform,
            module_versions,
            __version__,
        )

    def measure(
        self,
        strategy: str,
        dockerfile: str,
        context_dir: Path,
        module_versions: Sequence[tuple[str, str]] = (),
        smoke: SmokeSettings = SmokeSettings(),
    ) -> MeasuredImage:
        """The image's evidence: the recorded one when the key has a record, else a new build's."""
        try:
            key = self.key(dockerfile, context_dir, module_versions)
        except BaseImageMissing as missing:
            return MeasuredImage(strategy, dockerfile, "", False, "fail", None, None, str(missing), None, None)
        evidence, reused = self.store.find_or_build(
            key, lambda: self._build(key, strategy, dockerfile, context_dir, tuple(module_versions), smoke)
        )
        if reused:
            self.progress(f"{strategy}: reused the evidence of an identical build ({key[:12]})")
        return measured_image(self.store, evidence, strategy, dockerfile, reused)

    def compare(
        self, original: str, candidates: Sequence[Candidate], context_dir: Path, smoke: SmokeSettings = SmokeSettings()
    ) -> tuple[ImageReport, ...]:
        """Measures the original and each candidate (recorded builds reused), then judges the candidates."""
        measured_original = self.measure("original", original, context_dir, smoke=smoke)
        measured = [self.measure(c.strategy, c.dockerfile, context_dir, c.module_versions, smoke) for c in candidates]
        return judge(measured_original, measured)

    def _base_ids(self, dockerfile: str) -> str:
        ids = []
        for name in external_images(dockerfile):
            try:
                ids.append(f"{name}={self.runner.client.images.get(name).id}")
            except docker.errors.ImageNotFound:
                raise BaseImageMissing(f"base image {name} is not on the build host (no registry to pull from)") from None
        return ",".join(ids)

    def _build(
        self,
        key: str,
        strategy: str,
        dockerfile: str,
        context_dir: Path,
        module_versions: tuple[tuple[str, str], ...],
        smoke: SmokeSettings,
    ) -> BuildOutcome:
        directory = self.artefacts_dir / key[:2] / key
        directory.mkdir(parents=True, exist_ok=True)
        log_path = directory / "build.log"
        outcome = BuildOutcome(
            platform=self.platform,
            strategy=strategy,
            codi_version=__version__,
            module_versions=module_versions,
            log_path=str(log_path),
        )
        self.progress(f"{strategy}: building")
        limits = self.limits
        try:
            image = self.runner.build(
                dockerfile,
                context_dir,
                f"codi-build/{key[:24]}:{strategy}",
                limits.timeout_s,
                limits.memory_bytes,
                int(limits.cpus * CPU_PERIOD_US),
                log_path=log_path,
            )
        except BuildFailed as failed:
            self.progress(f"{strategy}: build failed: {failed.reason}")
            return replace(outcome, failure=BuildFailure(f"build failed: {failed.reason}", failed.log_tail))
        try:
            self.progress(f"{strategy}: built {image.size_bytes / 1e6:.1f} MB in {image.build_seconds:.1f}s; analysing")
            analysed = self._analyse(image, dockerfile, directory)
            self.progress(f"{strategy}: smoke test")
            result = self._smoke(image, smoke)
        finally:
            self.runner.remove(image)
        measurements = replace(
            image.measurements(result),
            wasted_bytes=analysed.wasted_bytes,
            efficiency=analysed.efficiency,
            secrets=analysed.secrets,
            components=analysed.components,
        )
        outcome = replace(
            outcome,
            image_id=image.image_id,
            measurements=measurements,
            scan=analysed.scan,
            sbom_path=str(analysed.sbom_path),
            files_path=str(analysed.files_path),
        )
        if not result.passed:
            self.progress(f"{strategy}: smoke test failed: {result.reason}")
            failure = BuildFailure(f"smoke test failed ({result.method}): {result.reason}", result.log_tail)
            return replace(outcome, failure=failure)
        return outcome

    def _analyse(self, image: BuiltImage, dockerfile: str, directory: Path) -> _Analysis:
        """`docker save` once, read once: dive's waste and efficiency, application files, secrets, SBOM; then
        the vulnerability scan of the same archive."""
        roots = application_roots(dockerfile)
        with tempfile.TemporaryDirectory(dir=directory) as scratch:
            archive_path = Path(scratch) / "image.tar"
            with archive_path.open("wb") as out:
                for chunk in self.runner.client.images.get(image.image_id).save(
                    chunk_size=SAVE_CHUNK_BYTES, named=False
                ):
                    out.write(chunk)
            with tarfile.open(archive_path) as archive:
                saved = read_image_archive(archive)
                components = read_components(saved.files)
            try:
                scan = scan_vulnerabilities(archive_path)
            except ScannerFailed as failed:
                self.progress(f"vulnerability scan failed, recorded as not scanned: {failed}")
                scan = None
        waste = layer_waste(saved.layers)
        app_files = {
            path: entry.size
            for path, entry in final_filesystem(saved.layers).items()
            if not entry.is_dir and is_application_file(path, roots)
        }
        sbom_path = directory / "sbom.cdx.json"
        sbom_path.write_text(cyclonedx_json(components, image=image.image_id), encoding="utf-8")
        files_path = directory / "app-files.json"
        files_path.write_text(json.dumps(app_files, sort_keys=True), encoding="utf-8")
        return _Analysis(
            wasted_bytes=waste.wasted_bytes,
            efficiency=round(waste.efficiency, 4),
            secrets=tuple(saved.secrets),
            components=len(components),
            scan=scan,
            sbom_path=sbom_path,
            files_path=files_path,
        )

    def _smoke(self, image: BuiltImage, smoke: SmokeSettings) -> SmokeResult:
        exits = smoke.command is None and smoke.port is None and not image.exposed_ports
        return self.runner.smoke_test(
            image,
            self.limits.memory_bytes,
            int(self.limits.cpus * CPU_PERIOD_US),
            port=smoke.port,
            command=list(smoke.command) if smoke.command else None,
            timeout_s=self.limits.exit_code_timeout_s if exits else smoke.timeout_seconds,
        )


@dataclass(frozen=True)
class _Analysis:
    """What the `docker save` analysis adds to the runner's measurements."""

    wasted_bytes: int
    efficiency: float
    secrets: tuple[SecretFinding, ...]
    components: int
    scan: ScanSummary | None
    sbom_path: Path
    files_path: Path


def measured_image(
    store: EvidenceStore, evidence: BuildEvidence, strategy: str, dockerfile: str, reused: bool
) -> MeasuredImage:
    """An evidence record (with its error and application-files artefact) as the judge reads it."""
    error = store.get_error(evidence.key) if evidence.result == "fail" else None
    app_files = None
    if evidence.files_path and Path(evidence.files_path).is_file():
        app_files = json.loads(Path(evidence.files_path).read_text(encoding="utf-8"))
    return MeasuredImage(
        strategy=strategy,
        dockerfile=dockerfile,
        key=evidence.key,
        reused=reused,
        result="pass" if evidence.result == "pass" else "fail",
        measurements=evidence.measurements,
        scan=evidence.scan,
        failure_reason=error.reason if error else None,
        log_tail=error.log_tail if error else None,
        app_files=app_files,
        log_path=evidence.log_path,
        sbom_path=evidence.sbom_path,
    )
