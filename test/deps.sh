#!/bin/sh
# Install the Debian packages runbound-c builds, runs and tests with
# (../shared/DESIGN.md, "Dependencies").  As root: apt-get update once, then
# apt-get install what is missing.  Otherwise: print the command and fail.
set -eu

PKGS="build-essential clang clang-format libclang-rt-14-dev libldns-dev libssl-dev
libcurl4-openssl-dev libjansson-dev libcdb-dev tinycdb s6 libevent-dev
libunbound-dev dnsutils ldnsutils curl jq openssl unbound nsd
perl libio-socket-ssl-perl time lowdown prometheus dnsperf wrk"

# The user the daemons of a root made by root run as (rb-conf --user, and
# make run's demo): a system account with no login, as Debian packages
# make theirs.
make_user() {
	[ "$(id -u)" = 0 ] || return 0
	id runbound >/dev/null 2>&1 && return 0
	echo "deps: adding the system user runbound" >&2
	useradd --system --no-create-home --home-dir /nonexistent \
	    --shell /usr/sbin/nologin runbound
}

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
if [ -z "$missing" ]; then
	make_user
	exit 0
fi

cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing" >&2
	echo "deps: run as root: apt-get update && $cmd" >&2
	exit 100
fi
echo "deps: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
make_user
# Debian starts packaged daemons where it can; the tests start their own.
for s in unbound nsd; do
	if command -v service >/dev/null 2>&1; then
		service "$s" stop >/dev/null 2>&1 || true
	fi
done
exit 0
