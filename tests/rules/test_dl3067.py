from tests.rules.helpers import catches, catches_not


def test_root_to_root_from_stage():
    catches("DL3067", "FROM alpine:3.20\nCOPY --from=build / /\n")
    catches("DL3067", 'FROM alpine:3.20\nCOPY --from=build "/" "/"\n')
    catches("DL3067", 'FROM alpine:3.20\nCOPY --from=build ["/", "/"]\n')
    catches("DL3067", "FROM alpine:3.20\nCOPY --from=build --chown=1:1 /etc / /\n")


def test_other_copies():
    catches_not("DL3067", "FROM alpine:3.20\nCOPY / /\n")
    catches_not("DL3067", "FROM alpine:3.20\nCOPY --from=build /app /\n")
    catches_not("DL3067", "FROM alpine:3.20\nCOPY --from=build / /app\n")
    catches_not("DL3067", "FROM alpine:3.20\nADD --from=build / /\n")
