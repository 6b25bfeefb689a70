from tests.rules.helpers import catches, catches_not


def test_invalid_keys():
    for key in ("com.docker.label", "io.docker.label", "org.dockerproject.label", "invalid$character", ".invalid",
                "-invalid", "1invalid", "invalid..character", "invalid--character", "Maintainer", "ends-"):
        catches("DL3048", f'FROM debian:12\nLABEL {key}="foo"\n')
    catches("DL3048", 'FROM debian:12\nLABEL .invalid ="foo"\n')
    catches("DL3048", 'FROM debian:12\nLABEL validlabel="foo" Bad="x"\n', count=1)


def test_valid_keys():
    catches_not("DL3048", 'FROM debian:12\nLABEL org.valid-key.label3="foo"\n')
    catches_not("DL3048", 'FROM debian:12\nLABEL validlabel="foo" org.opencontainers.image.source=x\n')
    catches_not("DL3048", 'FROM debian:12\nLABEL "quoted.key"="foo"\n')
