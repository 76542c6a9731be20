#!/bin/bash
# tools/install-deps.sh - installs the Debian packages that the build, the
# tests, the demo and the benchmark need, and only those that are missing.
#
# Checks each package with dpkg-query first, so it is quick (and needs no
# network) when everything is there; otherwise runs apt-get update once and
# apt-get install -y --no-install-recommends for the missing ones.  Runs as
# root, or through sudo when it is available.  Used by .ci/run and
# tools/demo.sh.

set -eu

PKGS=(
	build-essential autoconf automake libtool pkg-config
	libzmq3-dev libndpi-dev libndpi-bin libpcap-dev
	libhiredis-dev libluajit-5.1-dev libmicrohttpd-dev libsqlite3-dev
	librrd-dev libmaxminddb-dev libjansson-dev libsodium-dev libjsmn-dev
	libcmocka-dev zlib1g-dev redis-server tshark python3-zmq curl time
	ca-certificates tcpdump iproute2
	softflowd pmacct
	# make fuzz: clang, and libFuzzer with clang's sanitizer runtimes
	# (only recommended by clang, so not brought by --no-install-recommends)
	clang libclang-rt-dev
	# make format-check (.ci/run)
	clang-format
	# make docs (tests/e2e/make_docs.sh)
	doxygen
	# the TSan build (--enable-tsan) uses gcc's runtime
	libtsan2
	rrdtool
	libjs-bootstrap5 libjs-chart.js libjs-leaflet openssl chromium chromium-driver python3-selenium
	# tests/e2e/deb_package.py: build the package, check it, install it,
	# verify its unit (systemd-analyze) and start it as the unit would
	debhelper dpkg-dev fakeroot lintian adduser systemd util-linux man-db
	logrotate
	# /metrics: promtool checks the exposition, a real prometheus scrapes
	# it (tests/e2e/metrics.py starts its own on loopback)
	prometheus
	# HTTP client of the InfluxDB (and ClickHouse) drivers; Debian's
	# InfluxDB 1.x for tests/e2e/influxdb_ts.py (it starts its own)
	libcurl4-openssl-dev influxdb
	# -F clickhouse: tests/e2e/clickhouse_*.py start their own
	# clickhouse-server on loopback
	clickhouse-server clickhouse-client
)

missing=()
for p in "${PKGS[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#PKGS[@]} packages are installed"
	exit 0
fi

SUDO=
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null; then
		SUDO=sudo
	else
		echo "install-deps: missing ${missing[*]}; run as root" >&2
		exit 1
	fi
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture: answer it up front
echo 'wireshark-common wireshark-common/install-setuid boolean false' |
	$SUDO debconf-set-selections 2>/dev/null || true
$SUDO apt-get update -q
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	--no-install-recommends "${missing[@]}" </dev/null
