"""Which platform's build queue a candidate Dockerfile goes to (pure: text in, platform out).

A candidate needs a GPU runner when a stage starts from a CUDA image
(`nvidia/cuda:…`, any image or tag naming `cuda`, `pytorch/pytorch:…-cuda…`)
or asks for GPUs (`--gpus`, `NVIDIA_VISIBLE_DEVICES`); it needs an arm64
runner when a `FROM --platform=linux/arm64…` or the requested platform says
so; anything else builds on amd64. GPU wins over arm64: a CUDA image needs the
GPU runner whatever the architecture.
"""

from __future__ import annotations

import re
from typing import Literal, get_args

Platform = Literal["amd64", "arm64", "gpu"]
PLATFORMS: tuple[Platform, ...] = get_args(Platform)

_FROM = re.compile(r"^\s*FROM\s+(?P<flags>(?:--\S+\s+)*)(?P<image>\S+)", re.IGNORECASE | re.MULTILINE)
_ARM64 = re.compile(r"^linux/arm64(/v8)?$|^arm64$", re.IGNORECASE)
_GPU_NEEDS = re.compile(r"--gpus\b|\bNVIDIA_VISIBLE_DEVICES\b|\bNVIDIA_DRIVER_CAPABILITIES\b")


def platform_for(candidate_text: str, requested: str | None) -> Platform:
    """The queue platform for one candidate; `requested` is the user's `--platform` (e.g. `linux/arm64`)."""
    stages = [(match["flags"], match["image"]) for match in _FROM.finditer(candidate_text)]
    if any("cuda" in image.lower() for _, image in stages) or _GPU_NEEDS.search(candidate_text):
        return "gpu"
    from_platforms = [_platform_flag(flags) for flags, _ in stages]
    if any(value is not None and _ARM64.match(value) for value in from_platforms):
        return "arm64"
    if requested is not None and _ARM64.match(requested.strip()):
        return "arm64"
    return "amd64"


BUILD_TARGETS: dict[Platform, str] = {"amd64": "linux/amd64", "arm64": "linux/arm64", "gpu": "linux/amd64+gpu"}
"""What a platform's runner builds for: part of a build's evidence key, so records are per target."""


def queue_name(platform: Platform) -> str:
    """The arq queue the build workers of `platform` listen on."""
    return f"codi:build:{platform}"


def _platform_flag(flags: str) -> str | None:
    for flag in flags.split():
        if flag.lower().startswith("--platform="):
            return flag.split("=", 1)[1]
    return None
