/* host_details.js - one host: counters, L7 breakdown, traffic over time
 * (NT.TsChart, host:traffic: local hosts only, remote hosts have no RRD),
 * peers, flows.  An unknown host gives a page that says so. */
'use strict';
NT.start(async function () {
	const host = NT.qs('host');
	if (!host) { NT.fail('No host given', 'Open this page from the hosts list.'); return; }
	const js = await NT.api('get/host/data.lua', { ifid: NT.ifid, host: host });
	if (js.rc !== 0) {
		NT.fail('Host not found', 'Host ' + host + ' is not active on interface ' + NT.ifid +
			' (it may have been idle and purged).');
		return;
	}
	const h = js.rsp;
	document.querySelector('#main h3').textContent = 'Host ' + host;
	const item = (k, v) => '<tr><th>' + NT.esc(k) + '</th><td>' + v + '</td></tr>';
	document.getElementById('host-traffic').innerHTML = '<table class="table table-sm" id="host-info">' +
		item('IP address', NT.esc(h.ip)) + item('Name', '<span id="host-name">' + NT.esc(h.name) +
			'</span>' + (h.name_source ? ' <small class="text-muted">(from ' +
			NT.esc(h.name_source) + ')</small>' : '')) +
		(h.httpbl ? item('http:bl', '<span id="host-httpbl">' + NT.esc(h.httpbl.status) +
			(h.httpbl.status === 'listed' ? ': last seen ' + h.httpbl.days + ' days ago, threat ' +
			 h.httpbl.threat + ', type ' + h.httpbl.type : '') + '</span>') : '') +
		item('MAC', NT.esc(h.mac)) + item('VLAN', NT.esc(h.vlan)) +
		item('Location', h.localhost ? 'local' : 'remote') +
		item('Country', h.country ? NT.esc(h.country) + (h.city ? ' (' + NT.esc(h.city) + ')' : '') +
			(h.continent ? ', ' + NT.esc(h.continent) : '') : 'Unknown') +
		item('AS', h.asn ? 'AS' + NT.esc(h.asn) + ' ' + NT.esc(h.asname) : 'Unknown') +
		item('OS', h.os ? NT.esc(h.os_detail || h.os_name) : '<span class="text-muted">unknown</span>') +
		item('First seen', NT.time(h.seen && h.seen.first || h['seen.first'])) +
		item('Last seen', NT.time(h.seen && h.seen.last || h['seen.last'])) +
		item('Sent', NT.bytes(h['bytes.sent']) + ' / ' + NT.num(h['packets.sent']) + ' packets') +
		item('Received', NT.bytes(h['bytes.rcvd']) + ' / ' + NT.num(h['packets.rcvd']) + ' packets') +
		item('Throughput', NT.bps((h.throughput_bps || 0) * 8)) +
		item('Active flows', NT.num(h['active_flows.as_client']) + ' as client, ' +
			NT.num(h['active_flows.as_server']) + ' as server') + '</table>';
	const tsBox = document.getElementById('host-ts-box');
	if (h.localhost)
		new NT.TsChart(tsBox, { id: 'host-ts', range: 3600 })
			.show({ schema: 'host:traffic', host: h.ip, vlan: h.vlan || 0 });
	else
		tsBox.innerHTML = '<p class="text-muted mb-0" id="host-ts-none">No time series: ' +
			'only local hosts (-m) get one, and this host is remote.</p>';
	NT.hostActivity(document.getElementById('host-activity'), h);
	const l7 = await NT.api('get/host/l7/stats.lua', { ifid: NT.ifid, host: host });
	const sl = l7.rc === 0 ? l7.rsp : [];
	new Chart(document.getElementById('host-l7'), {
		type: 'doughnut',
		data: { labels: sl.map(s => s.label), datasets: [{ data: sl.map(s => s.value), backgroundColor: NT.colors }] },
		options: { maintainAspectRatio: false, plugins: { legend: { position: 'right' },
			tooltip: { callbacks: { label: c => c.label + ': ' + NT.bytes(c.raw) } } } },
	});
	/* Peers: the host's flows (server-sorted by bytes) summed per peer. */
	const fl = await NT.api('get/flow/active.lua', { ifid: NT.ifid, host: host, perPage: 500,
		sortColumn: 'bytes', sortOrder: 'desc' });
	const peers = {};
	(fl.rc === 0 ? fl.rsp.data : []).forEach(f => {
		const me = f.client.ip === h.ip;
		const p = me ? f.server : f.client;
		const e = peers[p.ip] || (peers[p.ip] = { ip: p.ip, name: p.name, vlan: f.vlan, flows: 0, bytes: 0, apps: {} });
		e.flows++;
		e.bytes += f.bytes;
		e.apps[f.protocol.l7] = 1;
	});
	const pl = Object.values(peers).sort((a, b) => b.bytes - a.bytes).slice(0, 20);
	document.getElementById('host-peers').innerHTML = '<table class="table table-sm" id="peers-table"><thead><tr>' +
		'<th>Peer</th><th>Flows</th><th>Applications</th><th>Bytes</th></tr></thead><tbody>' +
		(pl.length ? pl.map(p => '<tr><td>' + NT.hostLink(p.ip, p.vlan, p.name || p.ip) + '</td><td>' + p.flows +
			'</td><td>' + NT.esc(Object.keys(p.apps).join(', ')) + '</td><td>' + NT.bytes(p.bytes) + '</td></tr>').join('') :
			'<tr><td colspan="4" class="text-muted">No active flows</td></tr>') + '</tbody></table>';
	NT.entityAlerts('host-alerts', { entity: 'host', entity_val: host });
	const t = new NT.Table({ el: document.getElementById('host-flows'), id: 'host-flows-table',
		sortColumn: 'bytes', columns: NT.flowColumns(),
		load: NT.lister('get/flow/active.lua', { host: host }) });
	t.load();
});

