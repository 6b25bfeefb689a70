"""What a built image holds: its SBOM, secrets left in its layers, and its vulnerabilities.

The SBOM and secret scans are pure functions over a filesystem view (path →
bytes reader), read from the image's own package databases and files; a tar
(`container.export()` for the final filesystem, each layer of `image.save()`
for what any layer left behind) becomes such a view. Vulnerabilities come
from Trivy or Grype when their binary is on the build host; when neither is,
the result is None ("not scanned"), never a summary of zeros.
"""

from __future__ import annotations

import json
import posixpath
import re
import shutil
import subprocess
import tarfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from codi.rules.secrets import TOKEN_PATTERNS, secret_file_kind
from codi.pipeline.measured import ScanSummary, SecretFinding
from codi.worker.layers import Layer, final_filesystem, layer_from_members

FileView = Mapping[str, Callable[[], bytes]]
"""An image filesystem: absolute path → a function returning the file's bytes."""

MAX_SCANNED_FILE_BYTES = 1024 * 1024
"""Files larger than this are not searched for tokens (databases, archives, binaries)."""
SCANNER_TIMEOUT_S = 600


@dataclass(frozen=True, slots=True, order=True)
class Component:
    """One installed package: its ecosystem's name and version and the purl that says which ecosystem."""

    purl: str
    name: str
    version: str


# ---------------------------------------------------------------- filesystem views


def tar_view(archive: tarfile.TarFile) -> dict[str, Callable[[], bytes]]:
    """The regular files of a filesystem tar (an export or one layer) as a view; whiteouts are left out."""
    view: dict[str, Callable[[], bytes]] = {}
    for member in archive.getmembers():
        if member.isfile() and not posixpath.basename(member.name).startswith(".wh."):
            view[_absolute(member.name)] = _member_reader(archive, member)
    return view


def _member_reader(archive: tarfile.TarFile, member: tarfile.TarInfo) -> Callable[[], bytes]:
    def read() -> bytes:
        extracted = archive.extractfile(member)
        return extracted.read() if extracted else b""

    return read


def _absolute(name: str) -> str:
    """`./etc/passwd`, `etc/passwd` and `/etc/passwd` are all `/etc/passwd`."""
    return "/" + posixpath.normpath(name).lstrip("/")


def image_archive_layers(archive: tarfile.TarFile) -> Iterator[tarfile.TarFile]:
    """Each layer of a `docker save` archive, in build order, as its own tar (manifest.json names them)."""
    manifest_file = archive.extractfile("manifest.json")
    if manifest_file is None:
        raise ValueError("not a docker save archive: no manifest.json")
    for entry in json.load(manifest_file):
        for layer in entry["Layers"]:
            layer_file = archive.extractfile(layer)
            if layer_file is not None:
                yield tarfile.open(fileobj=layer_file)


# ---------------------------------------------------------------- SBOM


def read_components(files: FileView) -> list[Component]:
    """Every package the image's own databases and manifests list, sorted and deduplicated by purl."""
    distro = _os_release_id(files)
    found: set[Component] = set()
    for path, read in files.items():
        if path == "/var/lib/dpkg/status" or path.startswith("/var/lib/dpkg/status.d/"):
            found.update(_dpkg_components(read(), distro))
        elif path == "/lib/apk/db/installed":
            found.update(_apk_components(read()))
        elif path.endswith(".dist-info/METADATA"):
            found.update(_python_components(read()))
        elif _NPM_PACKAGE_JSON.search(path):
            found.update(_npm_components(read()))
    return sorted(found)


def _os_release_id(files: FileView) -> str:
    """The deb purl namespace: `ubuntu` on Ubuntu, `debian` otherwise."""
    for path in ("/etc/os-release", "/usr/lib/os-release"):
        if path in files:
            fields = dict(_key_values(files[path]().decode("utf-8", "replace"), "="))
            if fields.get("ID", "").strip('"') == "ubuntu":
                return "ubuntu"
    return "debian"


def _key_values(text: str, separator: str) -> Iterator[tuple[str, str]]:
    for line in text.splitlines():
        key, sep, value = line.partition(separator)
        if sep and key and not key.startswith((" ", "\t", "#")):
            yield key.strip(), value.strip()


def _paragraphs(data: bytes) -> Iterator[str]:
    yield from (p for p in re.split(r"\n\s*\n", data.decode("utf-8", "replace")) if p.strip())


def _dpkg_components(data: bytes, distro: str) -> Iterator[Component]:
    """Installed packages of a dpkg status file; distroless status.d files have no Status field."""
    for paragraph in _paragraphs(data):
        fields = dict(_key_values(paragraph, ":"))
        name, version = fields.get("Package"), fields.get("Version")
        if not name or not version or fields.get("Status", "install ok installed").split()[-1] != "installed":
            continue
        qualifier = f"?arch={fields['Architecture']}" if fields.get("Architecture") else ""
        yield Component(f"pkg:deb/{distro}/{name}@{quote(version, safe='')}{qualifier}", name, version)


def _apk_components(data: bytes) -> Iterator[Component]:
    for paragraph in _paragraphs(data):
        fields = dict(_key_values(paragraph, ":"))
        name, version = fields.get("P"), fields.get("V")
        if name and version:
            qualifier = f"?arch={fields['A']}" if fields.get("A") else ""
            yield Component(f"pkg:apk/alpine/{name}@{quote(version, safe='')}{qualifier}", name, version)


def _python_components(data: bytes) -> Iterator[Component]:
    headers = data.decode("utf-8", "replace").split("\n\n", 1)[0]
    fields = dict(_key_values(headers, ":"))
    name, version = fields.get("Name"), fields.get("Version")
    if name and version:
        normalized = re.sub(r"[-_.]+", "-", name).lower()
        yield Component(f"pkg:pypi/{normalized}@{quote(version, safe='')}", name, version)


# The package.json at a package's root: node_modules/NAME/ or node_modules/@SCOPE/NAME/.
_NPM_PACKAGE_JSON = re.compile(r"(?:^|/)node_modules/(?:@[^/]+/)?[^/@][^/]*/package\.json$")


def _npm_components(data: bytes) -> Iterator[Component]:
    try:
        manifest = json.loads(data)
    except ValueError:
        return
    if not isinstance(manifest, dict):
        return
    name, version = manifest.get("name"), manifest.get("version")
    if isinstance(name, str) and isinstance(version, str) and name and version:
        scope, _, bare = name.rpartition("/")
        namespace = f"{quote(scope, safe='')}/" if scope else ""
        yield Component(f"pkg:npm/{namespace}{quote(bare, safe='')}@{quote(version, safe='')}", name, version)


def cyclonedx_json(components: Iterable[Component], image: str | None = None) -> str:
    """A CycloneDX 1.5 JSON SBOM; no serial number or timestamp, so the same image gives the same bytes."""
    document: dict[str, Any] = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "version": 1,
        "metadata": {"tools": {"components": [{"type": "application", "name": "codi"}]}},
        "components": [
            {"type": "library", "bom-ref": c.purl, "name": c.name, "version": c.version, "purl": c.purl}
            for c in sorted(set(components))
        ],
    }
    if image:
        document["metadata"]["component"] = {"type": "container", "name": image}
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


# ---------------------------------------------------------------- secrets

# Config files that are secrets only when they hold a credential, and what says they do.
_CREDENTIAL_CONFIGS: dict[str, re.Pattern[bytes]] = {
    ".npmrc": re.compile(rb"_auth(?:Token)?\s*=\s*\S|_password\s*=\s*\S"),
    ".netrc": re.compile(rb"\bpassword\s+\S"),
    "_netrc": re.compile(rb"\bpassword\s+\S"),
}


def find_secrets(files: FileView) -> list[SecretFinding]:
    """Secret files (`.env`, keys, credential files), `.git` directories and known token formats in text files."""
    found: set[SecretFinding] = set()
    for path, read in files.items():
        git_dir = _git_directory(path)
        if git_dir:
            found.add(SecretFinding(git_dir, ".git directory"))
            continue
        base = posixpath.basename(path).lower()
        data: bytes | None = None
        if base in _CREDENTIAL_CONFIGS:
            data = read()
            if _CREDENTIAL_CONFIGS[base].search(data):
                found.add(SecretFinding(path, f"`{base}` with a credential"))
        else:
            file_kind = secret_file_kind(path)
            if file_kind:
                found.add(SecretFinding(path, f"secret file {file_kind}"))
        data = read() if data is None else data
        found.update(SecretFinding(path, kind) for kind in _token_kinds(data))
    return sorted(found)


def _git_directory(path: str) -> str | None:
    parts = path.split("/")
    return "/".join(parts[: parts.index(".git") + 1]) if ".git" in parts[:-1] else None


def _token_kinds(data: bytes) -> set[str]:
    """Kinds of the known token formats in a text file; binaries and large files are skipped."""
    if len(data) > MAX_SCANNED_FILE_BYTES or b"\0" in data[:8192]:
        return set()
    text = data.decode("utf-8", "replace")
    return {pattern.kind for pattern in TOKEN_PATTERNS if pattern.regex.search(text)}


def find_secrets_in_layers(archive: tarfile.TarFile) -> list[SecretFinding]:
    """Secrets in any layer of a `docker save` archive, also those a later layer deleted."""
    return read_image_archive(archive).secrets


@dataclass(frozen=True)
class ImageArchive:
    """What one pass over a `docker save` archive gives: layer file lists, the final filesystem, secrets."""

    layers: tuple[Layer, ...]
    """Bottom first, for `codi.worker.layers` (waste, final filesystem)."""
    files: FileView
    """The final filesystem's regular files (what a container of the image sees)."""
    secrets: list[SecretFinding]


def read_image_archive(archive: tarfile.TarFile) -> ImageArchive:
    """Reads every layer once: its file list, its secrets, and its files for the final view (whiteouts and
    opaque directories applied by `layers.final_filesystem`)."""
    layers: list[Layer] = []
    newest: dict[str, Callable[[], bytes]] = {}
    found: set[SecretFinding] = set()
    for layer in image_archive_layers(archive):
        layers.append(layer_from_members(layer.getmembers()))
        view = tar_view(layer)
        found.update(find_secrets(view))
        newest.update(view)
    final = final_filesystem(layers)
    return ImageArchive(tuple(layers), {path: read for path, read in newest.items() if path in final}, sorted(found))


# ---------------------------------------------------------------- vulnerabilities


class ScannerFailed(Exception):
    """A scanner binary ran and failed; the build was not scanned and the caller says why."""


_SEVERITIES = ("critical", "high", "medium", "low", "unknown")


def _summary(scanner: str, severities: Iterable[str], aliases: Mapping[str, str]) -> ScanSummary:
    counts = dict.fromkeys(_SEVERITIES, 0)
    for severity in severities:
        lowered = severity.lower()
        counts[aliases.get(lowered, lowered if lowered in counts else "unknown")] += 1
    return ScanSummary(scanner=scanner, **counts)


def parse_trivy_report(report: Mapping[str, Any], version: str) -> ScanSummary:
    """Counts by severity of `trivy image --format json` (Results[].Vulnerabilities[].Severity)."""
    severities = (
        vulnerability.get("Severity", "UNKNOWN")
        for result in report.get("Results") or ()
        for vulnerability in result.get("Vulnerabilities") or ()
    )
    return _summary(f"trivy {version}", severities, {})


def parse_grype_report(report: Mapping[str, Any]) -> ScanSummary:
    """Counts by severity of `grype -o json` (matches[].vulnerability.severity); Negligible counts as low."""
    version = (report.get("descriptor") or {}).get("version", "unknown")
    severities = (match["vulnerability"].get("severity", "Unknown") for match in report.get("matches") or ())
    return _summary(f"grype {version}", severities, {"negligible": "low"})


def _run(command: list[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=SCANNER_TIMEOUT_S, check=False)
    if done.returncode != 0:
        raise ScannerFailed(f"{command[0]} exited {done.returncode}: {done.stderr[-2000:]}")
    return done.stdout


@dataclass(frozen=True)
class _ScannerAdapter:
    """A scanner binary, used only when it is on PATH."""

    binary: str

    def available(self) -> bool:
        return shutil.which(self.binary) is not None


@dataclass(frozen=True)
class TrivyAdapter(_ScannerAdapter):
    """Trivy on a `docker save` archive."""

    binary: str = "trivy"

    def scan(self, image_archive: Path) -> ScanSummary:
        version_output = _run([self.binary, "--version"])
        version = re.search(r"Version:\s*(\S+)", version_output)
        report = json.loads(_run([self.binary, "image", "--format", "json", "--input", str(image_archive)]))
        return parse_trivy_report(report, version.group(1) if version else "unknown")


@dataclass(frozen=True)
class GrypeAdapter(_ScannerAdapter):
    """Grype on a `docker save` archive."""

    binary: str = "grype"

    def scan(self, image_archive: Path) -> ScanSummary:
        return parse_grype_report(json.loads(_run([self.binary, str(image_archive), "-o", "json"])))


def scan_vulnerabilities(
    image_archive: Path, adapters: Iterable[TrivyAdapter | GrypeAdapter] = (TrivyAdapter(), GrypeAdapter())
) -> ScanSummary | None:
    """The first available scanner's summary, or None ("not scanned") when no scanner binary is present."""
    for adapter in adapters:
        if adapter.available():
            return adapter.scan(image_archive)
    return None
