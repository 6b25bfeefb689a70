from tests.rules.helpers import catches, catches_not


def test_invalid_ports():
    catches("DL3011", "EXPOSE 80000\n")
    catches("DL3011", "EXPOSE 80 80000/udp\n")
    catches("DL3011", "EXPOSE 40000-80000/tcp\n")
    catches("DL3011", "FROM debian:12\nARG PORT=70000\nEXPOSE $PORT\n")


def test_valid_ports():
    catches_not("DL3011", "EXPOSE 60000\n")
    catches_not("DL3011", "EXPOSE 0 65535/tcp\n")
    catches_not("DL3011", "EXPOSE ${FOOBAR}\n")
    catches_not("DL3011", "EXPOSE 40000-60000/tcp\n")
    catches_not("DL3011", "EXPOSE 40000-${FOOBAR}\n")
