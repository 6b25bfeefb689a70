#!/bin/sh
# Runs inside debian:bookworm-slim (host network): assembles the root filesystem of a distroless
# stand-in and writes it as a tar to stdout. $1: static (CA certificates, tzdata, netbase, passwd;
# no shell, no libc) or base (static plus glibc and libssl). Progress goes to stderr.
set -eu
flavour=$1
extra=""
[ "$flavour" = base ] && extra="libc6 libssl3"
exec 3>&1 1>&2
apt-get update -q
apt-get install -y -q --no-install-recommends ca-certificates tzdata netbase $extra
update-ca-certificates
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
tar --numeric-owner -C $out -cf - . >&3
