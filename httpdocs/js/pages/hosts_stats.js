/* hosts_stats.js - every active host; sorting, paging and the filters
 * (local/remote, IPv4/IPv6, VLAN) are done by the server. */
'use strict';
NT.start(async function () {
	const f = document.getElementById('filters');
	const q = k => NT.qs(k);
	if (q('mode')) f.mode.value = q('mode');
	if (q('version')) f.version.value = q('version');
	if (q('vlan')) f.vlan.value = q('vlan');
	const filters = () => {
		const x = { mode: f.mode.value };
		if (f.version.value) x.version = f.version.value;
		if (/^\d+$/.test(f.vlan.value)) x.vlan = f.vlan.value;
		if (q('asn') !== null) x.asn = q('asn'); /* from the AS page */
		if (q('country') !== null) x.country = q('country'); /* Countries page */
		return x;
	};
	const t = new NT.Table({ el: document.getElementById('hosts'), id: 'hosts-table',
		sortColumn: 'traffic', perPage: 25, columns: [
			{ label: 'IP address', sort: 'ip', render: r => NT.hostLink(r.ip, r.vlan, r.ip) },
			{ label: 'Name', sort: 'name', render: r => NT.esc(r.name) },
			{ label: 'Location', render: r => r.is_localhost ? '<span class="badge bg-success">local</span>' :
				'<span class="badge bg-secondary">remote</span>' },
			{ label: 'VLAN', sort: 'vlan', render: r => r.vlan || '' },
			{ label: 'OS', render: r => NT.esc(r.os_detail || '') },
			{ label: 'Score', render: r => '<span title="as client ' + r.score.as_client +
				', as server ' + r.score.as_server + '">' + NT.num(r.score.total) + '</span>' },
			{ label: 'Flows', sort: 'num_flows', render: r => NT.num(r.num_flows.total) },
			{ label: 'Seen since', sort: 'since', render: r => NT.time(r.first_seen) },
			{ label: 'Throughput', sort: 'thpt', render: r => NT.bps(r.thpt.bps) },
			{ label: 'Sent', sort: 'traffic_sent', render: r => NT.bytes(r.bytes.sent) },
			{ label: 'Received', sort: 'traffic_rcvd', render: r => NT.bytes(r.bytes.recvd) },
			{ label: 'Traffic', sort: 'traffic', render: r => NT.bytes(r.bytes.total) },
		], load: p => NT.lister('get/host/active.lua', filters())(p) });
	f.addEventListener('change', () => { t.page = 1; t.load(); });
	f.addEventListener('submit', e => { e.preventDefault(); t.page = 1; t.load(); });
	t.load();
});
