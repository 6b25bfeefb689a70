from tests.rules.helpers import catches, catches_not


def test_single_stage_go_build():
    found = catches("CD2003", 'FROM golang:1.22\nCOPY . .\nRUN go build -o /app .\nCMD ["/app"]\n', count=1)
    assert found[0].line == 3
    assert "`go build`" in found[0].message


def test_each_stack():
    for step in ("cargo build --release", "mvn clean package", "./gradlew bootJar", "dotnet publish -c Release",
                 "gcc -o app main.c", "make", "make -j4 all", "./configure --prefix=/usr"):
        catches("CD2003", f'FROM x:1\nCOPY . .\nRUN {step}\nCMD ["/app"]\n')


def test_not_compiles():
    for step in ("javac --version", "make migrate", "go install golang.org/x/tools/gopls@latest", "go vet ./..."):
        catches_not("CD2003", f'FROM x:1\nCOPY . .\nRUN {step}\nCMD ["/app"]\n')


def test_multi_stage_is_fine():
    catches_not("CD2003", 'FROM golang:1.22 AS b\nRUN go build -o /app .\nFROM scratch\nCOPY --from=b /app /app\nCMD ["/app"]\n')


def test_docker_library_pattern_purges_in_the_same_layer():
    catches_not(
        "CD2003",
        'FROM debian:12\nRUN apt-get install -y gcc make && ./configure && make && apt-get purge -y gcc make\nCMD ["redis-server"]\n',
    )


def test_tool_images_without_entry_point_or_sources():
    catches_not("CD2003", "FROM alpine:3\nRUN apk add build-base && wget x.tgz && ./configure && make\n")
    catches("CD2003", "FROM ubuntu:24.04\nCOPY . .\nRUN ./gradlew bootjar\n")


def test_node_build_only_for_static_sites():
    catches("CD2003", 'FROM node:20\nCOPY . .\nRUN npm ci && npm run build\nCMD ["npx", "serve", "-s", "build"]\n')
    catches_not("CD2003", 'FROM node:20\nCOPY . .\nRUN npm ci && npm run build\nCMD ["npm", "start"]\n')
