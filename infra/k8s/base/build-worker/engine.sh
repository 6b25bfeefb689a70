#!/bin/sh
# The build worker's Docker engine (docker:dind, privileged: the one container of codi's that is).
#
# The worker beside it must reach Redis (its queue) and PostgreSQL (the evidence store), and the builds and
# smoke tests run in this pod's network namespace, so a NetworkPolicy cannot tell the two apart. Here the
# engine keeps its containers (traffic entering from its bridges, docker0 and br-*) off every address in
# CODI_ENGINE_BLOCKED_CIDRS (private ranges, where the cluster's Redis, PostgreSQL, API server and kubelets
# live, and link-local, the metadata address 169.254.169.254), DNS to the pod's own resolver excepted.
# The engine listens only on a unix socket in the pod's emptyDir: no TCP port.
#
#   engine.sh start   run dockerd, install the rules, wait for dockerd
#   engine.sh rules   install the rules only (dockerd made DOCKER-USER; tests/infra/test_k8s.py runs this)
#   engine.sh check   exit 0 when dockerd answers and the rules are in place (the startup and liveness probe)
set -eu

SOCKET=/run/codi-engine/docker.sock
CHAIN=CODI-BUILDS

use_engines_iptables() {
    # docker:dind's entrypoint falls back to legacy iptables where nf_tables fails (its PATH, not ours): use the
    # one holding dockerd's DOCKER-USER chain.
    legacy=/usr/local/sbin/.iptables-legacy
    if ! iptables -n -L DOCKER-USER >/dev/null 2>&1 && [ -x "$legacy/iptables" ]; then
        PATH="$legacy:$PATH"
    fi
}

rules_in_place() {
    iptables -C DOCKER-USER -i docker0 -j "$CHAIN" 2>/dev/null && iptables -C DOCKER-USER -i br-+ -j "$CHAIN" 2>/dev/null
}

engine_answers() {
    docker -H "unix://$SOCKET" version >/dev/null 2>&1
}

add_rule() {
    iptables -C "$CHAIN" "$@" 2>/dev/null || iptables -A "$CHAIN" "$@"
}

install_rules() {
    # Idempotent, never flushed: a restarted engine finds the pod's network namespace, and its rules, as they were.
    iptables -N "$CHAIN" 2>/dev/null || true
    add_rule -o docker0 -j RETURN
    add_rule -o br-+ -j RETURN
    awk '$1 == "nameserver" { print $2 }' /etc/resolv.conf | while read -r resolver; do
        add_rule -d "$resolver" -p udp --dport 53 -j RETURN
        add_rule -d "$resolver" -p tcp --dport 53 -j RETURN
    done
    for cidr in $CODI_ENGINE_BLOCKED_CIDRS; do
        add_rule -d "$cidr" -j REJECT
    done
    for bridge in docker0 br-+; do
        iptables -C DOCKER-USER -i "$bridge" -j "$CHAIN" 2>/dev/null || iptables -I DOCKER-USER -i "$bridge" -j "$CHAIN"
    done
}

case "${1:-}" in
start)
    : "${CODI_ENGINE_BLOCKED_CIDRS:?must list the CIDRs builds may not reach}"
    : "${CODI_ENGINE_SOCKET_GROUP:?must name the GID of the worker that uses the socket}"
    dockerd-entrypoint.sh dockerd "--host=unix://$SOCKET" "--group=$CODI_ENGINE_SOCKET_GROUP" &
    engine=$!
    trap 'kill -TERM "$engine"' TERM INT
    until engine_answers; do
        kill -0 "$engine" || exit 1
        sleep 1
    done
    use_engines_iptables
    install_rules
    # The first wait returns when the trap runs; the second waits for dockerd to finish stopping.
    wait "$engine" || wait "$engine"
    ;;
rules)
    : "${CODI_ENGINE_BLOCKED_CIDRS:?must list the CIDRs builds may not reach}"
    use_engines_iptables
    install_rules
    ;;
check)
    use_engines_iptables
    engine_answers && rules_in_place
    ;;
*)
    echo "usage: engine.sh start|rules|check" >&2
    exit 2
    ;;
esac
