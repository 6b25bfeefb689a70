#!/bin/sh
# Runs inside debian:bookworm-slim (host network): assembles the root filesystem of a distroless
# stand-in and writes it as a tar to stdout. $1: static (CA certificates, tzdata, netbase, passwd;
# no shell, no libc), base (static plus glibc and libssl), cc (base plus libgcc, libgomp and libstdc++,
# for Rust and C++ binaries), or a language image on base: python3
# (Python 3.11 and its standard library), nodejs18 (Node 18 at /nodejs/bin/node, as upstream puts it)
# or java17 (OpenJDK 17 JRE, /usr/bin/java, the Java CA keystore). A language image carries its
# packages' run-time dependency closure, minus the essential tools (shells, dpkg, perl, coreutils…)
# that distroless leaves out. Progress goes to stderr.
set -eu
flavour=$1
case $flavour in
    static) extra="" ;;
    base) extra="libc6 libssl3" ;;
    cc) extra="libc6 libssl3 libgcc-s1 libgomp1 libstdc++6" ;;
    python3) extra="libc6 libssl3 python3.11" ;;
    nodejs18) extra="libc6 libssl3 nodejs" ;;
    java17) extra="libc6 libssl3 openjdk-17-jre-headless" ;;
    *) echo "unknown distroless flavour $flavour" >&2; exit 2 ;;
esac
exec 3>&1 1>&2
mkdir -p /usr/share/man/man1  # the slim image drops it; the JRE's update-alternatives needs it
apt-get update -q
apt-get install -y -q --no-install-recommends ca-certificates tzdata netbase $extra
update-ca-certificates
if [ "$flavour" != static ] && [ "$flavour" != base ]; then
    # The run-time closure of the language packages; what distroless never ships is left out.
    skip=" bash dash coreutils dpkg perl-base debconf sed grep tar gzip findutils diffutils util-linux hostname
        login passwd sysvinit-utils mawk base-passwd init-system-helpers debianutils ncurses-bin libc-bin
        adduser java-common ca-certificates-java gcc-12-base "
    extra=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
            --no-replaces --no-enhances $extra | grep -v '^ ' | grep -v '^<' | sort -u |
        while read -r pkg; do
            case "$skip" in *" $pkg "*) continue ;; esac
            dpkg-query -W -f '${Status}\n' "$pkg" 2>/dev/null | grep -q 'install ok installed' && echo "$pkg"
        done | tr '\n' ' ')
fi
out=/out
mkdir -p $out/usr/bin $out/usr/lib $out/usr/lib64 $out/usr/sbin $out/etc/ssl/certs $out/usr/share \
    $out/tmp $out/root $out/home/nonroot $out/var/lib/dpkg/status.d
# Merged /usr as in bookworm, so package paths under /lib and /usr/lib land in one place.
for d in bin lib lib64 sbin; do ln -s usr/$d $out/$d; done
cp /etc/ssl/certs/ca-certificates.crt $out/etc/ssl/certs/
cp -a /usr/share/zoneinfo $out/usr/share/
cp /etc/services /etc/protocols /etc/ethertypes $out/etc/
cp -L /etc/os-release $out/etc/os-release
cp /etc/debian_version $out/etc/
cat >$out/etc/passwd <<'PASSWD'
root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
PASSWD
cat >$out/etc/group <<'GROUP'
root:x:0:
tty:x:5:
staff:x:50:
nonroot:x:65532:
nogroup:x:65534:
GROUP
printf 'hosts: files dns\n' >$out/etc/nsswitch.conf
chmod 1777 $out/tmp
chmod 700 $out/root
chown 65532:65532 $out/home/nonroot
# Package records the way distroless keeps them (one status file per package), for SBOM readers.
for pkg in base-files netbase tzdata ca-certificates $extra; do
    dpkg-query -s "$pkg" >$out/var/lib/dpkg/status.d/"$pkg"
done
for pkg in $extra; do
    dpkg-query -L "$pkg" | while read -r path; do
        case $path in /usr/share/doc/*|/usr/share/lintian/*|/usr/share/man/*|/usr/share/locale/*) continue ;; esac
        if [ -L "$path" ] || [ -f "$path" ]; then cp -a --parents "$path" $out; fi
    done
done
case $flavour in
    python3)
        ln -sf python3.11 $out/usr/bin/python3  # python3-minimal's link; distroless ships it as well
        ;;
    nodejs18)
        mkdir -p $out/nodejs/bin
        ln -s /usr/bin/node $out/nodejs/bin/node
        ;;
    java17)
        # Made by maintainer scripts, so in no package's file list: the alternatives link and the keystore.
        ln -sf /usr/lib/jvm/java-17-openjdk-amd64/bin/java $out/usr/bin/java
        mkdir -p $out/etc/ssl/certs/java
        cp /etc/ssl/certs/java/cacerts $out/etc/ssl/certs/java/cacerts
        cp -a --parents /etc/java-17-openjdk $out
        ;;
esac
tar --numeric-owner -C $out -cf - . >&3
