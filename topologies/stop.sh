#!/bin/bash
# topologies/stop.sh star|tree|mesh: stops the nodes start.sh left running,
# by the PIDs it recorded in topologies/run/.
cd "$(dirname "$0")/run" 2>/dev/null || exit 0
for f in "${1:?usage: $0 star|tree|mesh}"-*.pid; do
	[ -f "$f" ] || continue
	kill "$(cat "$f")" 2>/dev/null
	rm -f "$f"
done
