# codi-test/dnf-base: Debian's dnf and rpm with a local repository of three noarch rpms built here from
# codi-demo.spec (no Fedora/RHEL image or repository is reachable). Built by tests/build/test_rpm_slim_build.py.
FROM debian:bookworm-slim
COPY codi-demo.spec local.repo /tmp/rpm/
RUN apt-get update \
    && apt-get install -y --no-install-recommends dnf rpm createrepo-c \
    && rm -rf /var/lib/apt/lists/* \
    && rpmbuild -bb --define '_topdir /tmp/rpm/build' /tmp/rpm/codi-demo.spec \
    && mkdir /repo \
    && mv /tmp/rpm/build/RPMS/noarch/*.rpm /repo/ \
    && createrepo_c /repo \
    && mkdir -p /etc/yum.repos.d \
    && mv /tmp/rpm/local.repo /etc/yum.repos.d/ \
    && rm -rf /tmp/rpm
