import pytest

from tests.rules.helpers import catches, catches_not, lines

UNPINNED = [
    "gem i bundler",
    "gem i bunlder:1 nokogiri",
    "gem install bundler",
    "gem install --no-document rails:7 bundler",
]

PINNED = [
    "gem i bundler:1",
    "gem i bunlder:1 nokogirii:1",
    "gem install bundler:1",
    "gem install bundler -v '2.0.1'",
    "gem install bundler --version '2.0.1'",
    "gem install bundler --version='2.0.1'",
    "gem install bundler:2.0.1 -- --use-system-libraries=true",
    "gem install bundler:2.0.1 -- --use-system-libraries true",
    "gem install bundler:2.0.1 --use-system-libraries true",
    "gem install bundler:2.0.1 --use-system-libraries=true",
    "gem install -N rails",
    "gem update --system",
    "bundle install",
]


@pytest.mark.parametrize("script", UNPINNED)
def test_unpinned(script):
    catches("DL3028", f"FROM ruby:3.3\nRUN {script}\n")
    catches("DL3028", f"FROM ruby:3.3\nONBUILD RUN {script}\n")


@pytest.mark.parametrize("script", PINNED)
def test_pinned(script):
    catches_not("DL3028", f"FROM ruby:3.3\nRUN {script}\n")
    catches_not("DL3028", f"FROM ruby:3.3\nONBUILD RUN {script}\n")


def test_reported_on_first_line_without_fix():
    assert lines("DL3028", "FROM ruby:3.3\nRUN set -e \\\n && gem install rake\n") == [2]
    assert catches("DL3028", "FROM ruby:3.3\nRUN gem install rake\n")[0].fix is None
