"""Image scanning: SBOM and secrets on hand-made filesystems, scanner reports in their documented JSON, and
one SBOM of a real debian:bookworm-slim image."""

import io
import json
import tarfile
from collections.abc import Callable
from pathlib import Path

import docker
import pytest

from codi.worker.scan import (
    GrypeAdapter,
    SecretFinding,
    TrivyAdapter,
    cyclonedx_json,
    find_secrets,
    find_secrets_in_layers,
    parse_grype_report,
    parse_trivy_report,
    read_components,
    scan_vulnerabilities,
    tar_view,
)

DPKG_STATUS = b"""Package: bash
Status: install ok installed
Architecture: amd64
Version: 5.2.15-2+b2
Description: GNU Bourne Again SHell
 Bash is an sh-compatible command language interpreter.

Package: removed-tool
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0-1

Package: libc6
Status: install ok installed
Architecture: amd64
Version: 1:2.36-9
"""
APK_INSTALLED = b"""C:Q1abc=
P:musl
V:1.2.4-r2
A:x86_64

C:Q1def=
P:busybox
V:1.36.1-r5
A:x86_64
"""
PRIVATE_KEY = b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n"


def view(files: dict[str, bytes]) -> dict[str, Callable[[], bytes]]:
    return {path: (lambda data=data: data) for path, data in files.items()}


def test_components_from_every_package_database():
    files = view(
        {
            "/var/lib/dpkg/status": DPKG_STATUS,
            "/var/lib/dpkg/status.d/base-files": b"Package: base-files\nVersion: 12.4\nArchitecture: amd64\n",
            "/lib/apk/db/installed": APK_INSTALLED,
            "/usr/lib/python3/site-packages/Typing_Extensions-4.9.0.dist-info/METADATA": (
                b"Metadata-Version: 2.1\nName: Typing_Extensions\nVersion: 4.9.0\n\nName: not-a-header\n"
            ),
            "/app/node_modules/left-pad/package.json": b'{"name": "left-pad", "version": "1.3.0"}',
            "/app/node_modules/@babel/core/package.json": b'{"name": "@babel/core", "version": "7.23.0"}',
            "/app/node_modules/left-pad/lib/package.json": b'{"name": "inner", "version": "0.0.1"}',
        }
    )
    purls = [component.purl for component in read_components(files)]
    assert purls == [
        "pkg:apk/alpine/busybox@1.36.1-r5?arch=x86_64",
        "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64",
        "pkg:deb/debian/base-files@12.4?arch=amd64",
        "pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64",
        "pkg:deb/debian/libc6@1%3A2.36-9?arch=amd64",
        "pkg:npm/%40babel/core@7.23.0",
        "pkg:npm/left-pad@1.3.0",
        "pkg:pypi/typing-extensions@4.9.0",
    ]


def test_cyclonedx_document_is_deterministic_and_lists_components():
    components = read_components(view({"/lib/apk/db/installed": APK_INSTALLED}))
    text = cyclonedx_json(components, image="app:1")
    assert text == cyclonedx_json(list(reversed(components)), image="app:1")
    document = json.loads(text)
    assert (document["bomFormat"], document["specVersion"]) == ("CycloneDX", "1.5")
    assert document["metadata"]["component"] == {"type": "container", "name": "app:1"}
    assert [(c["name"], c["version"], c["bom-ref"] == c["purl"]) for c in document["components"]] == [
        ("busybox", "1.36.1-r5", True),
        ("musl", "1.2.4-r2", True),
    ]


def test_secrets_report_path_and_kind_never_the_value():
    token = "ghp_" + "a" * 36
    files = view(
        {
            "/root/.ssh/id_ed25519": PRIVATE_KEY,
            "/app/.git/config": b"[core]\n",
            "/app/.git/HEAD": b"ref: refs/heads/main\n",
            "/app/.env": b"DEBUG=1\n",
            "/app/.env.example": b"TOKEN=\n",
            "/app/settings.py": f"GITHUB = '{token}'\nAWS = 'AKIAABCDEFGHIJKLMNOP'\n".encode(),
            "/root/.npmrc": b"//registry.npmjs.org/:_authToken=abc123\n",
            "/home/u/.npmrc": b"registry=https://registry.npmjs.org/\n",
            "/root/.netrc": b"machine example.com login me password hunter2\n",
            "/usr/bin/tool": b"\0ELF" + PRIVATE_KEY,
        }
    )
    found = find_secrets(files)
    assert found == [
        SecretFinding("/app/.env", "secret file `.env`"),
        SecretFinding("/app/.git", ".git directory"),
        SecretFinding("/app/settings.py", "AWS access key id"),
        SecretFinding("/app/settings.py", "GitHub token"),
        SecretFinding("/root/.netrc", "`.netrc` with a credential"),
        SecretFinding("/root/.npmrc", "`.npmrc` with a credential"),
        SecretFinding("/root/.ssh/id_ed25519", "private key"),
        SecretFinding("/root/.ssh/id_ed25519", "secret file `id_ed25519`"),
    ]
    assert not any(value in repr(found) for value in (token, "hunter2", "abc123", "AKIAABCDEFGHIJKLMNOP"))


def _tar(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_secret_deleted_by_a_later_layer_is_still_found():
    saved = _tar(
        {
            "manifest.json": json.dumps([{"Config": "c.json", "Layers": ["l1/layer.tar", "l2/layer.tar"]}]).encode(),
            "l1/layer.tar": _tar({"root/key.pem": PRIVATE_KEY, "etc/os-release": b"ID=debian\n"}),
            "l2/layer.tar": _tar({"root/.wh.key.pem": b""}),
        }
    )
    with tarfile.open(fileobj=io.BytesIO(saved)) as archive:
        assert find_secrets_in_layers(archive) == [
            SecretFinding("/root/key.pem", "private key"),
            SecretFinding("/root/key.pem", "secret file key file `key.pem`"),
        ]


# Trivy's documented `--format json` report (SchemaVersion 2): Results[].Vulnerabilities[].Severity.
TRIVY_REPORT = {
    "SchemaVersion": 2,
    "ArtifactName": "app.tar",
    "ArtifactType": "container_image",
    "Results": [
        {
            "Target": "app.tar (debian 12.4)",
            "Class": "os-pkgs",
            "Type": "debian",
            "Vulnerabilities": [
                {"VulnerabilityID": "CVE-2023-0001", "PkgName": "libc6", "InstalledVersion": "2.36-9", "Severity": "CRITICAL"},
                {"VulnerabilityID": "CVE-2023-0002", "PkgName": "bash", "InstalledVersion": "5.2.15", "Severity": "HIGH"},
                {"VulnerabilityID": "CVE-2023-0003", "PkgName": "bash", "InstalledVersion": "5.2.15", "Severity": "LOW"},
            ],
        },
        {"Target": "Python", "Class": "lang-pkgs", "Type": "python-pkg"},
        {
            "Target": "Node.js",
            "Class": "lang-pkgs",
            "Type": "node-pkg",
            "Vulnerabilities": [{"VulnerabilityID": "GHSA-x", "PkgName": "lodash", "Severity": "MEDIUM"},
                                {"VulnerabilityID": "GHSA-y", "PkgName": "lodash", "Severity": "UNKNOWN"}],
        },
    ],
}
# Grype's documented `-o json` report: matches[].vulnerability.severity, descriptor.version.
GRYPE_REPORT = {
    "matches": [
        {"vulnerability": {"id": "CVE-2023-0001", "severity": "Critical"}, "artifact": {"name": "libc6", "version": "2.36-9"}},
        {"vulnerability": {"id": "CVE-2004-0971", "severity": "Negligible"}, "artifact": {"name": "krb5", "version": "1"}},
        {"vulnerability": {"id": "CVE-2023-0004", "severity": "Medium"}, "artifact": {"name": "zlib", "version": "1"}},
        {"vulnerability": {"id": "CVE-2023-0005", "severity": "Unknown"}, "artifact": {"name": "tar", "version": "1"}},
    ],
    "source": {"type": "image", "target": {"userInput": "app.tar"}},
    "descriptor": {"name": "grype", "version": "0.74.0"},
}


def test_trivy_report_counts_by_severity():
    summary = parse_trivy_report(TRIVY_REPORT, "0.50.1")
    assert (summary.scanner, summary.critical, summary.high, summary.medium, summary.low, summary.unknown) == (
        "trivy 0.50.1", 1, 1, 1, 1, 1,
    )


def test_trivy_report_without_findings_is_zero_not_none():
    summary = parse_trivy_report({"SchemaVersion": 2, "Results": [{"Target": "x", "Class": "os-pkgs"}]}, "0.50.1")
    assert summary.total == 0


def test_grype_report_counts_by_severity():
    summary = parse_grype_report(GRYPE_REPORT)
    assert (summary.scanner, summary.critical, summary.high, summary.medium, summary.low, summary.unknown) == (
        "grype 0.74.0", 1, 0, 1, 1, 1,
    )


def test_no_scanner_binary_means_not_scanned(tmp_path: Path):
    adapters = (TrivyAdapter(binary="codi-no-such-trivy"), GrypeAdapter(binary="codi-no-such-grype"))
    assert scan_vulnerabilities(tmp_path / "image.tar", adapters) is None


def test_grype_binary_on_path_is_run_and_parsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    fake = tmp_path / "bin" / "grype"
    fake.parent.mkdir()
    report = tmp_path / "report.json"
    report.write_text(json.dumps(GRYPE_REPORT))
    fake.write_text(f'#!/bin/sh\n[ "$2" = "-o" ] && [ "$3" = json ] && cat {report}\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:/usr/bin:/bin")
    adapters = (TrivyAdapter(binary="codi-no-such-trivy"), GrypeAdapter())
    summary = scan_vulnerabilities(tmp_path / "image.tar", adapters)
    assert summary is not None and (summary.scanner, summary.total) == ("grype 0.74.0", 4)


def test_sbom_of_a_real_debian_image(docker_client: docker.DockerClient, tmp_path: Path):
    (tmp_path / "Dockerfile").write_text("FROM debian:bookworm-slim\nRUN echo built > /built.txt\n")
    image, _ = docker_client.images.build(path=str(tmp_path), rm=True, network_mode="host")
    container = docker_client.containers.create(image.id)
    try:
        export = tmp_path / "fs.tar"
        with export.open("wb") as out:
            for chunk in container.export():
                out.write(chunk)
        with tarfile.open(export) as archive:
            files = tar_view(archive)
            components = read_components(files)
            assert "/built.txt" in files
    finally:
        container.remove(force=True)
        docker_client.images.remove(image.id, force=True)
    by_name = {component.name: component for component in components}
    assert {"bash", "dpkg", "libc6", "coreutils"} <= set(by_name)
    assert by_name["dpkg"].purl.startswith(f"pkg:deb/debian/dpkg@{by_name['dpkg'].version}")
    assert all(component.purl.startswith("pkg:deb/debian/") for component in components)
