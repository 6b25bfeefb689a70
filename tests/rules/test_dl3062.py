import pytest

from tests.rules.helpers import catches, catches_not


@pytest.mark.parametrize(
    "run",
    [
        "go install example.com/pkg",
        "go install example.com/pkg@latest",
        "go get example.com/pkg",
        "go get example.com/pkg@latest",
        "go get -tool foobar",
        "go get -tool foobar@latest",
        "go run example.com/pkg",
        "go run example.com/pkg@latest",
        "go install example.com/pkg@none",
        "go install -v example.com/pkg",
        "go run ./tools/gen.go && go install example.com/pkg",
        "go install -tags netgo example.com/pkg",
    ],
)
def test_unpinned(run):
    catches("DL3062", f"FROM golang:1.22\nRUN {run}\n")
    catches("DL3062", f"FROM golang:1.22\nONBUILD RUN {run}\n")


@pytest.mark.parametrize(
    "run",
    [
        "go install example.com/pkg@v1.2.3",
        "go install /go/app/foobar",
        "go install ./app/foobar",
        "go install .",
        "go get example.com/pkg@v1.2.3",
        "go get -tool foobar@v1.2.3",
        "go run example.com/pkg@v1.2.3",
        "go run example.com/pkg@v1.2.3 -f",
        "go run example.com/pkg@v1.2.3 --foobar",
        "go run example.com/pkg@v1.2.3 foobar",
        "go run example.com/pkg@v1.2.3 --foo bar",
        "go run /go/app/foobar",
        "go run ./app/foobar",
        "go run .",
        "go run main.go",
        "go install -tags netgo ./cmd/app",
        "go install -ldflags '-s -w' example.com/pkg@v1.0.0",
        "go build -o /bin/app ./cmd/app",
        "go get",
        "go mod download",
    ],
)
def test_pinned_or_local(run):
    catches_not("DL3062", f"FROM golang:1.22\nRUN {run}\n")
    catches_not("DL3062", f"FROM golang:1.22\nONBUILD RUN {run}\n")


def test_reported_on_the_run_line():
    found = catches("DL3062", "FROM golang:1.22\nRUN echo \\\n  && go install example.com/pkg\n", count=1)
    assert found[0].line == 2
