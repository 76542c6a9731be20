/* lists.js - shared by the AS, country and VLAN pages: one server-paged
 * table of aggregated hosts. */
'use strict';
NT.aggList = function (path, first) {
	NT.start(async function () {
		const t = new NT.Table({ el: document.getElementById('list'), id: 'list-table',
			sortColumn: 'traffic', columns: [first,
				{ label: 'Hosts', sort: 'num_hosts', render: r => NT.num(r.num_hosts) },
				{ label: 'Seen since', sort: 'seen_since', render: r => NT.time(r.seen_since) },
				{ label: 'Throughput', sort: 'throughput', render: r => NT.bps(r.throughput * 8) },
				{ label: 'Sent', sort: 'bytes_sent', render: r => NT.bytes(r.bytes_sent) },
				{ label: 'Received', sort: 'bytes_rcvd', render: r => NT.bytes(r.bytes_rcvd) },
				{ label: 'Traffic', sort: 'traffic', render: r => NT.bytes(r.traffic) },
			], load: NT.lister(path) });
		t.load();
	});
};
