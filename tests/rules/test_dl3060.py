from codi.pipeline.edits import Applicability
from tests.rules.helpers import catches, catches_not, findings, fixed


def test_install_without_clean():
    catches("DL3060", "FROM node:20\nRUN yarn install foo\n")
    catches("DL3060", "FROM node:20\nONBUILD RUN yarn install foo\n")
    catches("DL3060", "FROM node:20\nRUN yarn cache clean && yarn install foo\n")


def test_clean_or_cache_mount():
    catches_not("DL3060", "FROM node:20\nRUN foo\n")
    catches_not("DL3060", "FROM node:20\nRUN yarn install bar && yarn cache clean\n")
    catches_not("DL3060", "FROM node:20\nRUN --mount=type=cache,target=/root/.cache/yarn yarn install foobar\n")
    catches_not("DL3060", "FROM node:20\nRUN --mount=type=tmpfs,target=/root/.cache/yarn yarn install foobar\n")
    catches("DL3060", "FROM node:20\nRUN --mount=type=cache,target=/var/lib/foobar yarn install foobar\n")
    catches("DL3060", "FROM node:20\nRUN --mount=type=bind,target=/root/.cache/yarn yarn install foobar\n")


def test_only_stages_that_reach_an_image():
    catches("DL3060", "FROM node:20 as foo\nRUN hey!\nFROM scratch\nRUN yarn install\n")
    catches("DL3060", "FROM node:20 as foo\nRUN yarn install\nFROM foo\nRUN hey!\n")
    catches_not("DL3060", "FROM node:20 as foo\nRUN yarn install && yarn cache clean\nFROM foo\nRUN hey!\n")
    catches_not("DL3060", "FROM node:20 as foo\nRUN yarn install foo\nFROM scratch\nRUN hey!\n")
    catches("DL3060", "FROM node:20 as foo\nONBUILD RUN yarn install foo\nFROM scratch\nRUN hey!\n")


def test_fix_appends_clean_after_last_install():
    before = "FROM node:20\nRUN cd /app \\\n && yarn install --frozen-lockfile \\\n && yarn build\n"
    assert fixed("DL3060", before) == (
        "FROM node:20\nRUN cd /app \\\n && yarn install --frozen-lockfile && yarn cache clean \\\n && yarn build\n"
    )
    assert fixed("DL3060", "FROM node:20\nRUN yarn cache clean; yarn install\n") == (
        "FROM node:20\nRUN yarn cache clean; yarn install && yarn cache clean\n"
    )


def test_no_fix_where_the_step_is_not_plain():
    for script in ["yarn install | tee log", "a || yarn install", "(yarn install)", "yarn install > log"]:
        (finding,) = findings("DL3060", f"FROM node:20\nRUN {script}\n")
        assert finding.fix is None, script


def test_no_fix_for_yarn_berry():
    (finding,) = findings("DL3060", "FROM node:20\nRUN corepack enable && yarn install\n")
    assert finding.fix is None
    (finding,) = findings(
        "DL3060", "FROM node:20\nRUN yarn install\n", context_files=frozenset({".yarnrc.yml", "package.json"})
    )
    assert finding.fix is None
    (finding,) = findings("DL3060", "FROM node:20\nRUN yarn install\n", context_files=frozenset({"package.json"}))
    assert finding.fix is not None


def test_fix_is_unsafe_when_a_later_install_is_offline():
    dockerfile = "FROM node:20\nRUN yarn install --frozen-lockfile\nCOPY . .\nRUN yarn install --offline && yarn build\n"
    found = [f for f in catches("DL3060", dockerfile) if f.line == 2]
    assert found[0].fix is not None and found[0].fix.applicability is Applicability.UNSAFE
    assert "line 4 may still need the yarn cache" in found[0].fix.description
    later = "FROM node:20\nRUN yarn install --frozen-lockfile\nCOPY . .\nRUN yarn build\n"
    assert fixed("DL3060", later) == later.replace("lockfile\n", "lockfile && yarn cache clean\n")
