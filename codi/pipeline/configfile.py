"""Config files: `.hadolint.yaml` read as hadolint reads it, and `.codi.yml`.

Both take hadolint's keys (`Hadolint.Config.Configuration`): `ignored`,
`override` (`error`/`warning`/`info`/`style` lists), `failure-threshold`,
`trustedRegistries`, `label-schema`, `strict-labels`, `disable-ignore-pragma`,
`no-fail`, `no-color`, `format`/`formats` and `verbose`. `.codi.yml` adds
codi's own:

    shellcheck: false      # do not run ShellCheck on RUN scripts
    optimize: {...}        # reserved for the optimiser's settings
    smoke-test:            # how a built image proves it works (codi optimize --build, the App's builds)
      command: [python, -c, "import app"]   # or a string, split like a shell would; exit 0 passes
      port: 8080           # wait for this port instead of the first EXPOSEd one
      timeout: 60          # seconds
    builds:                # the App's builds (CODI_BUILDS=true), read from the base branch only
      trust: branches      # none | branches (default) | collaborators: whose PRs build without `/codi build`
    perf:                  # codi perf: milliseconds each pipeline stage may take
      budgets:
        per-file: {parse: 5, lint: 50, optimise: 200, rank: 100}
        total: {lint: 5000, shellcheck: 10000}   # all files together (ShellCheck: total only)

A key `.codi.yml` does not know is an error (a typo must not silently do
nothing). hadolint ignores unknown keys, so in a hadolint config they are
only logged, and a config that works with hadolint works unchanged.
Every error names the file, the line and the key.
"""

from __future__ import annotations

import logging
import re
import shlex
from collections.abc import Callable, Iterable
from pathlib import PurePath
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from codi.pipeline.config import BUILD_TRUST_LEVELS, PERF_STAGES, BuildSettings, LintConfig, PerfBudgets, SmokeSettings
from codi.pipeline.findings import Severity

logger = logging.getLogger(__name__)

RESERVED_SECTIONS = frozenset({"optimize"})
"""Top-level sections of `.codi.yml` kept for features to come: accepted, not read yet."""
LABEL_TYPES = frozenset({"text", "url", "spdx", "hash", "rfc3339", "semver", "email", ""})
OUTPUT_FORMATS = frozenset(
    {"tty", "json", "checkstyle", "codeclimate", "gitlab_codeclimate", "gnu", "codacy", "sonarqube", "sarif", "junit"}
)
OVERRIDE_LEVELS = ("style", "info", "warning", "error")
"""In hadolint's order of application: a code listed twice gets the later (more severe) level."""
_RULE_CODE = re.compile(r"[A-Za-z]+[0-9]+\Z")


CONFIG_NAMES = (".codi.yml", ".codi.yaml", ".hadolint.yaml", ".hadolint.yml")
"""Config file names, in the order codi looks for them (hadolint's own names included)."""


def first_config(texts: Iterable[tuple[str, str | None]], origin: str = "") -> LintConfig:
    """The config of the first (name, text) with a text; defaults when none has one.

    Lazy: a generator of reads stops at the first file found.

    `origin` (e.g. ` at main`) is appended to the name in error messages.
    """
    for name, text in texts:
        if text is not None:
            return parse_config(text, name + origin)
    return LintConfig()


class ConfigError(ValueError):
    """A config file that cannot be used; the message reads `file:line: key: problem`."""


class _Reader:
    """Checks one parsed file, key by key, and raises `ConfigError` at the first problem."""

    def __init__(self, filename: str, codi_file: bool) -> None:
        self.filename = filename
        self.codi_file = codi_file

    def error(self, line: int, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.filename}:{line}: {key}: {problem}")

    def read(self, document: Any) -> LintConfig:
        if document is None:
            return LintConfig()
        if not isinstance(document, CommentedMap):
            raise ConfigError(f"{self.filename}:1: expected a mapping of settings (key: value)")
        settings: dict[str, Any] = {}
        for key, value in document.items():
            line = _value_line(document, key)
            name = str(key)
            reader = _TOP_LEVEL.get(name)
            if reader is not None:
                reader(self, settings, name, value, line)
            elif name in RESERVED_SECTIONS and self.codi_file:
                if value is not None and not isinstance(value, CommentedMap):
                    raise self.error(line, name, "expected a mapping (section reserved for a later version)")
            elif self.codi_file:
                raise self.error(_key_line(document, key), name, f"unknown setting; known: {', '.join(_known())}")
            else:
                logger.warning("%s:%d: %s: unknown setting, ignored", self.filename, _key_line(document, key), name)
        return _to_config(settings)

    def codes(self, value: Any, key: str, line: int) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, CommentedSeq):
            raise self.error(line, key, "expected a list of rule codes")
        out = []
        for index, item in enumerate(value):
            if not isinstance(item, str) or not _RULE_CODE.match(item.strip()):
                problem = f"expected a rule code such as DL3008, got {item!r}"
                raise self.error(_item_line(value, index, line), key, problem)
            out.append(item.strip())
        return out

    def strings(self, value: Any, key: str, line: int) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, CommentedSeq):
            raise self.error(line, key, "expected a list of strings")
        for index, item in enumerate(value):
            if not isinstance(item, str):
                raise self.error(_item_line(value, index, line), key, f"expected a string, got {item!r}")
        return [item.strip() for item in value]

    def boolean(self, value: Any, key: str, line: int) -> bool | None:
        if value is None or isinstance(value, bool):
            return value
        raise self.error(line, key, f"expected true or false, got {value!r}")


def _ignored(reader: _Reader, settings: dict[str, Any], key: str, value: Any, line: int) -> None:
    settings["ignored"] = settings.get("ignored", []) + reader.codes(value, key, line)


def _override(reader: _Reader, settings: dict[str, Any], key: str, value: Any, line: int) -> None:
    if value is None:
        return
    if not isinstance(value, CommentedMap):
        raise reader.error(line, key, f"expected a mapping with the lists {', '.join(OVERRIDE_LEVELS)}")
    levels: dict[str, list[str]] = {}
    for level, codes in value.items():
        level_line = _value_line(value, level)
        if level not in OVERRIDE_LEVELS:
            if reader.codi_file:
                problem = f"expected one of {', '.join(OVERRIDE_LEVELS)}"
                raise reader.error(_key_line(value, level), f"{key}.{level}", problem)
            logger.warning("%s:%d: %s.%s: unknown level, ignored", reader.filename, level_line, key, level)
            continue
        levels[level] = reader.codes(codes, f"{key}.{level}", level_line)
    settings["override"] = levels


def _failure_threshold(reader: _Reader, settings: dict[str, Any], key: str, value: Any, line: int) -> None:
    if value is None:
        return
    names = {severity.value for severity in Severity} | {"none"}
    if not isinstance(value, str) or value.strip().lower() not in names:
        raise reader.error(line, key, f"expected error, warning, info, style, ignore or none, got {value!r}")
    settings["failure_threshold"] = Severity.parse(value)


def _trusted(reader: _Reader, settings: dict[str, Any], key: str, value: Any, line: int) -> None:
    settings["trusted_registries"] = tuple(reader.strings(value, key, line))


def _label_schema(reader: _Reader, settings: dict[str, Any], key: str, value: Any, line: int) -> None:
    if value is None:
        return
    if not isinstance(value, CommentedMap):
        raise reader.error(line, key, "expected a mapping of label name to type")
    schema: dict[str, str] = {}
    for label, kind in value.items():
        kind_text = "" if kind is None else kind
        if not isinstance(kind_text, str) or kind_text not in LABEL_TYPES:
            raise reader.error(
                _value_line(value, label), f"{key}.{label}",
                f"expected a label type ({', '.join(sorted(LABEL_TYPES - {''}))}), got {kind!r}",
            )  # fmt: skip
        schema[str(label)] = kind_text or "text"
    settings["label_schema"] = schema


def _flag(field_name: str | None) -> Callable[[_Reader, dict[str, Any], str, Any, int], None]:
    """A boolean key; `field_name` None for output settings `LintConfig` does not hold."""

    def read(reader: _Reader, settings: dict[str, Any], key: str, value: Any, line: int) -> None:
        flag = reader.boolean(value, key, line)
        if field_name is not None and flag is not None:
            settings[field_name] = flag

    return read


def _formats(reader: _Reader, settings: dict[str, Any], key: str, value: Any, line: int) -> None:
    """Checked only: the output format is chosen on the command line."""
    if key == "formats":
        names = reader.strings(value, key, line)
    else:
        names = [] if value is None else [value]
    for name in names:
        if not isinstance(name, str) or name not in OUTPUT_FORMATS:
            problem = f"expected an output format ({', '.join(sorted(OUTPUT_FORMATS))}), got {name!r}"
            raise reader.error(line, key, problem)


def _in_codi_file(reader: _Reader, key: str, line: int) -> bool:
    """codi's own keys count only in `.codi.yml`; in a hadolint config they are logged and ignored."""
    if not reader.codi_file:
        logger.warning("%s:%d: %s: a codi setting in a hadolint config, ignored", reader.filename, line, key)
    return reader.codi_file


def _shellcheck(reader: _Reader, settings: dict[str, Any], key: str, value: Any, line: int) -> None:
    if _in_codi_file(reader, key, line):
        _flag("shellcheck")(reader, settings, key, value, line)


def _smoke_test(reader: _Reader, settings: dict[str, Any], key: str, value: Any, line: int) -> None:
    if not _in_codi_file(reader, key, line) or value is None:
        return
    if not isinstance(value, CommentedMap):
        raise reader.error(line, key, "expected a mapping with command, port and/or timeout")
    fields: dict[str, Any] = {}
    for name, item in value.items():
        item_line = _value_line(value, name)
        where = f"{key}.{name}"
        if name == "command":
            fields["command"] = _smoke_command(reader, item, where, item_line)
        elif name == "port":
            if isinstance(item, bool) or not isinstance(item, int) or not 0 < item < 65536:
                raise reader.error(item_line, where, f"expected a TCP port number (1-65535), got {item!r}")
            fields["port"] = item
        elif name == "timeout":
            if isinstance(item, bool) or not isinstance(item, (int, float)) or not 0 < item <= 3600:
                raise reader.error(item_line, where, f"expected seconds between 0 and 3600, got {item!r}")
            fields["timeout_seconds"] = float(item)
        else:
            raise reader.error(_key_line(value, name), where, "unknown setting; known: command, port, timeout")
    settings["smoke"] = SmokeSettings(**fields)


def _builds(reader: _Reader, settings: dict[str, Any], key: str, value: Any, line: int) -> None:
    if not _in_codi_file(reader, key, line) or value is None:
        return
    if not isinstance(value, CommentedMap):
        raise reader.error(line, key, "expected a mapping with trust")
    for name, item in value.items():
        where = f"{key}.{name}"
        if name != "trust":
            raise reader.error(_key_line(value, name), where, "unknown setting; known: trust")
        if item not in BUILD_TRUST_LEVELS:
            problem = f"expected one of {', '.join(BUILD_TRUST_LEVELS)}, got {item!r}"
            raise reader.error(_value_line(value, name), where, problem)
        settings["builds"] = BuildSettings(trust=item)


def _perf(reader: _Reader, settings: dict[str, Any], key: str, value: Any, line: int) -> None:
    if not _in_codi_file(reader, key, line) or value is None:
        return
    if not isinstance(value, CommentedMap):
        raise reader.error(line, key, "expected a mapping with budgets")
    for name, item in value.items():
        if name != "budgets":
            raise reader.error(_key_line(value, name), f"{key}.{name}", "unknown setting; known: budgets")
        settings["perf"] = _budgets(reader, item, f"{key}.{name}", _value_line(value, name))


_BUDGET_SCOPES = ("per-file", "total")


def _budgets(reader: _Reader, value: Any, key: str, line: int) -> PerfBudgets:
    """`per-file:` and `total:`, each a mapping of stage to milliseconds (0 or more)."""
    if value is None:
        return PerfBudgets()
    if not isinstance(value, CommentedMap):
        raise reader.error(line, key, "expected a mapping with per-file and/or total")
    scopes: dict[str, dict[str, float]] = {}
    for scope, stages in value.items():
        where = f"{key}.{scope}"
        if scope not in _BUDGET_SCOPES:
            raise reader.error(_key_line(value, scope), where, f"unknown setting; known: {', '.join(_BUDGET_SCOPES)}")
        scope_line = _value_line(value, scope)
        if stages is None:
            continue
        if not isinstance(stages, CommentedMap):
            raise reader.error(scope_line, where, "expected a mapping of stage to milliseconds")
        scopes[scope] = {}
        for stage, ms in stages.items():
            stage_where = f"{where}.{stage}"
            if stage not in PERF_STAGES:
                problem = f"unknown stage; known: {', '.join(PERF_STAGES)}"
                raise reader.error(_key_line(stages, stage), stage_where, problem)
            if scope == "per-file" and stage == "shellcheck":
                problem = "ShellCheck runs once for all files (batched): give it a total budget only"
                raise reader.error(_key_line(stages, stage), stage_where, problem)
            if isinstance(ms, bool) or not isinstance(ms, (int, float)) or ms < 0:
                problem = f"expected milliseconds (0 or more), got {ms!r}"
                raise reader.error(_value_line(stages, stage), stage_where, problem)
            scopes[scope][str(stage)] = float(ms)
    return PerfBudgets(per_file_ms=scopes.get("per-file", {}), total_ms=scopes.get("total", {}))


def _smoke_command(reader: _Reader, value: Any, key: str, line: int) -> tuple[str, ...]:
    if isinstance(value, str):
        try:
            argv = shlex.split(value)
        except ValueError as error:
            raise reader.error(line, key, f"cannot split the command: {error}") from None
    elif isinstance(value, CommentedSeq) and all(isinstance(item, str) for item in value):
        argv = [str(item) for item in value]
    else:
        raise reader.error(line, key, "expected a command: a string or a list of strings")
    if not argv:
        raise reader.error(line, key, "expected a command, got an empty one")
    return tuple(argv)


_TOP_LEVEL: dict[str, Callable[[_Reader, dict[str, Any], str, Any, int], None]] = {
    "ignored": _ignored,
    "override": _override,
    "failure-threshold": _failure_threshold,
    "trustedRegistries": _trusted,
    "label-schema": _label_schema,
    "strict-labels": _flag("strict_labels"),
    "disable-ignore-pragma": _flag("disable_ignore_pragma"),
    "no-fail": _flag("no_fail"),
    "no-color": _flag(None),
    "verbose": _flag(None),
    "format": _formats,
    "formats": _formats,
    "shellcheck": _shellcheck,
    "smoke-test": _smoke_test,
    "builds": _builds,
    "perf": _perf,
}


def _known() -> list[str]:
    return sorted(set(_TOP_LEVEL) | RESERVED_SECTIONS)


def _to_config(settings: dict[str, Any]) -> LintConfig:
    overrides: dict[str, Severity] = {}
    for level in OVERRIDE_LEVELS:
        for code in settings.get("override", {}).get(level, []):
            overrides[code] = Severity(level)
    fields = {name: value for name, value in settings.items() if name not in ("ignored", "override")}
    return LintConfig(ignored=frozenset(settings.get("ignored", ())), overrides=overrides, **fields)


def _key_line(mapping: CommentedMap, key: Any) -> int:
    return mapping.lc.key(key)[0] + 1


def _value_line(mapping: CommentedMap, key: Any) -> int:
    return mapping.lc.value(key)[0] + 1


def _item_line(sequence: CommentedSeq, index: int, default: int) -> int:
    try:
        return sequence.lc.item(index)[0] + 1
    except (KeyError, AttributeError):
        return default


def is_codi_config(filename: str) -> bool:
    """`.codi.yml`/`.codi.yaml` (and `codi.yml`) are codi's; any other name is read as hadolint's."""
    return PurePath(filename).name.lstrip(".").startswith("codi.")


def parse_config(text: str, filename: str) -> LintConfig:
    """The `LintConfig` a config file's text asks for; `ConfigError` when it is not valid."""
    return _Reader(filename, is_codi_config(filename)).read(_load_yaml(text, filename))


def parse_budgets(text: str, filename: str) -> PerfBudgets:
    """A budget file (`codi perf --budget-file`): what `.codi.yml`'s `perf: budgets:` holds, at the top level."""
    return _budgets(_Reader(filename, True), _load_yaml(text, filename), "budgets", 1)


def _load_yaml(text: str, filename: str) -> Any:
    yaml = YAML(typ="rt")
    try:
        document = yaml.load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise ConfigError(f"{filename}:{line}: invalid YAML: {error.problem or error.context}") from None
    except YAMLError as error:
        raise ConfigError(f"{filename}:1: invalid YAML: {error}") from None
    return document
