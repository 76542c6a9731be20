#!/bin/bash
# topologies/start.sh star|tree|mesh [--live] [--foreground NODE] [--check]
#
# Starts a ready hierarchy of nodes on loopback, each from its
# configuration file in topologies/<topology>/ (the seed's config-file
# form), on traffic generated with ntopng-gen-pcap at
# topologies/run/data/site<N>: by default a capture file of TOPO_PACKETS
# packets per site (default 100000); with --live a FIFO fed for ever in
# real time (TOPO_RATE packets/s per site, default 300), so the nodes see
# a live network.
#   star: edge1..3 capture and export, hub merges them (UI on :3000)
#   tree: leaf1..4 -> regional1 (leaves 1, 2), regional2 (3, 4) -> hq (:3000)
#   mesh: mesh-a (:3000), mesh-b, mesh-c each capture, export, merge the others
# Nodes run in the background (logs and PIDs in topologies/run/); stop them
# with topologies/stop.sh <topology>.  --foreground NODE runs that node in
# the foreground instead (Ctrl-C stops the whole topology).  --check waits
# until the top node holds exactly the sum of the sites and says so.
# The binary comes from $BUILD_DIR (default build/).
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD_DIR:-$SRC/build}
PKTS=${TOPO_PACKETS:-100000}
topo=${1:-}
shift || true
RATE=${TOPO_RATE:-300}
fg=""
check=0
live=0
usage="usage: $0 star|tree|mesh [--live] [--foreground NODE] [--check]"
while [ $# -gt 0 ]; do
	case $1 in
	--foreground) fg=$2; shift 2 ;;
	--check) check=1; shift ;;
	--live) live=1; shift ;;
	*) echo "$usage" >&2; exit 1 ;;
	esac
done
case $topo in
star) nodes="edge1 edge2 edge3 hub"; top=hub; sites="1 2 3" ;;
tree) nodes="leaf1 leaf2 leaf3 leaf4 regional1 regional2 hq"; top=hq; sites="1 2 3 4" ;;
mesh) nodes="a b c"; top=a; sites="1 2 3" ;;
*) echo "$usage" >&2; exit 1 ;;
esac
if [ "$live" = 1 ] && [ "$check" = 1 ]; then
	echo "$0: --check needs capture files (a live feed never ends)" >&2
	exit 1
fi
if [ ! -x "$BUILD/ntopng" ] || [ ! -x "$BUILD/tools/ntopng-gen-pcap" ]; then
	echo "$0: no build in $BUILD (run tools/demo.sh, or set BUILD_DIR)" >&2
	exit 1
fi
cd "$SRC"
run=topologies/run
mkdir -p "$run/data"
pids=()
# one capture (or live feed) per site; seeds differ
for i in $sites; do
	f=$run/data/site$i
	if [ "$live" = 1 ]; then
		rm -f "$f" "$f.params"
		mkfifo "$f"
		"$BUILD/tools/ntopng-gen-pcap" -o "$f" -n 0 -R -r "$RATE" -f 300 \
			-s "$i" -q &
		echo $! >"$run/$topo-gen$i.pid"
		pids+=($!)
	elif [ ! -f "$f" ] || [ "$(cat "$f.params" 2>/dev/null)" != "$PKTS" ]; then
		rm -f "$f"
		"$BUILD/tools/ntopng-gen-pcap" -o "$f" -n "$PKTS" -f 2000 -s "$i" \
			-t "$(($(date +%s) - 600))"
		echo "$PKTS" >"$f.params"
	fi
done

stop_all() {
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null || true
	done
}
for n in $nodes; do
	[ "$n" = "$fg" ] && continue
	"$BUILD/ntopng" "topologies/$topo/$n.conf" >"$run/$topo-$n.log" 2>&1 &
	echo $! >"$run/$topo-$n.pid"
	pids+=($!)
done
echo "$topo: started ${nodes// /, } (logs in $run/); the top node's UI: http://127.0.0.1:3000 (admin/admin)"

if [ "$check" = 1 ]; then
	/usr/bin/python3 - "$topo" "$top" <<'PY'
import base64, json, re, sys, time, urllib.request
topo, top = sys.argv[1], sys.argv[2]
def port(n):
    txt = open("topologies/%s/%s.conf" % (topo, n)).read()
    return int(re.search(r"^-w=127\.0\.0\.1:(\d+)", txt, re.M).group(1))
def data(n, ifid):
    req = urllib.request.Request("http://127.0.0.1:%d/lua/rest/v2/get/interface/data.lua?ifid=%d" % (port(n), ifid))
    req.add_header("Authorization", "Basic " + base64.b64encode(b"admin:admin").decode())
    return json.load(urllib.request.urlopen(req, timeout=5))["rsp"]
sites = {"star": ["edge1", "edge2", "edge3"], "tree": ["leaf1", "leaf2", "leaf3", "leaf4"],
         "mesh": ["b", "c"]}[topo]
top_if = 1 if topo == "mesh" else 0
deadline = time.time() + 120
while True:
    try:
        ends = [data(s, 0) for s in sites]
        if all(e["input_ended"] for e in ends):
            want = [sum(e[k] for e in ends) for k in ("ip_bytes", "ip_packets", "num_flows")]
            t = data(top, top_if)
            got = [t[k] for k in ("ip_bytes", "ip_packets", "num_flows")]
            if got == want:
                print("%s: %s holds exactly the sum of %s: %d bytes, %d packets, %d flows"
                      % (topo, top, ", ".join(sites), *got))
                break
    except Exception:
        pass
    if time.time() > deadline:
        print("%s: %s does not hold the sum of the sites yet" % (topo, top))
        sys.exit(1)
    time.sleep(1)
PY
fi

if [ -n "$fg" ]; then
	# the foreground node runs as a child we wait for: bash runs the trap
	# at once on INT or TERM (it would wait for a plain foreground
	# command to end first), so stopping the script stops everything
	trap 'stop_all; exit 0' INT TERM
	trap stop_all EXIT
	"$BUILD/ntopng" "topologies/$topo/$fg.conf" &
	pids+=($!)
	wait $!
fi
