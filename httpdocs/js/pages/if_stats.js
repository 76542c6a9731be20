/* if_stats.js - every interface with its counters, the selected one's
 * traffic over time (NT.TsChart, iface:traffic), and the sources merged
 * into it (get/interface/sources.lua when the node has it). */
'use strict';
NT.start(async function () {
	const rows = [];
	for (const i of NT.ifaces) {
		const js = await NT.api('get/interface/data.lua', { ifid: i.ifid });
		if (js.rc === 0) rows.push(Object.assign({ label: i.name || i.ifname }, js.rsp));
	}
	document.getElementById('ifaces').innerHTML = '<table class="table table-sm table-striped" id="ifaces-table">' +
		'<thead><tr><th>Id</th><th>Name</th><th>Input</th><th>Packets</th><th>Bytes</th><th>Throughput</th>' +
		'<th>Hosts</th><th>Flows</th><th>Drops</th><th>Decode errors</th><th>State</th></tr></thead><tbody>' +
		rows.map(d => '<tr' + (Number(d.ifid) === NT.ifid ? ' class="table-warning"' : '') + '><td>' + NT.esc(d.ifid) +
			'</td><td><a href="/lua/if_stats.lua?ifid=' + NT.esc(d.ifid) + '">' + NT.esc(d.label) + '</a></td><td>' +
			NT.esc(d.ifname) + '</td><td>' + NT.num(d.packets) + '</td><td>' + NT.bytes(d.bytes) + '</td><td>' +
			NT.bps(d.throughput_bps * 8) + '</td><td>' + NT.num(d.num_hosts) + '</td><td>' + NT.num(d.num_flows) +
			'</td><td>' + NT.num(d.drops) + '</td><td>' + NT.num(d.decode_errors ? d.decode_errors.bad_packets : 0) +
			'</td><td>' + (d.input_ended ? 'input ended' : 'running') + '</td></tr>').join('') + '</tbody></table>';
	const me = NT.ifaces.find(i => i.ifid === NT.ifid);
	document.getElementById('if-ts-name').textContent = me ? (me.name || me.ifname) : NT.ifid;
	new NT.TsChart(document.getElementById('if-ts-box'), { id: 'if-ts', range: 600 })
		.show({ schema: 'iface:traffic' });
	const src = document.getElementById('sources');
	if (!NT.session.features || !NT.session.features.sources) {
		src.innerHTML = '<p class="text-muted" id="sources-none">This node does not list the sources ' +
			'of an interface yet; the interface counters above cover all of them.</p>';
		return;
	}
	const js = await NT.api('get/interface/sources.lua', { ifid: NT.ifid });
	const list = js.rc === 0 ? (Array.isArray(js.rsp) ? js.rsp : js.rsp.sources || []) : [];
	if (!list.length) { src.innerHTML = '<p class="text-muted" id="sources-none">No sources.</p>'; return; }
	const keys = Object.keys(list[0]).filter(k => typeof list[0][k] !== 'object');
	src.innerHTML = '<table class="table table-sm table-striped" id="sources-table"><thead><tr>' +
		keys.map(k => '<th>' + NT.esc(k) + '</th>').join('') + '</tr></thead><tbody>' +
		list.map(s => '<tr>' + keys.map(k => '<td>' + NT.esc(s[k]) + '</td>').join('') + '</tr>').join('') +
		'</tbody></table>';
	/* The per-site view of a hub: the peers each collector source hears
	 * (node, site path, rate, drops) and the origin nodes merged here. */
	const peers = [];
	for (const s of list)
		for (const p of (s.probes || []))
			peers.push(Object.assign({ endpoint: s.spec }, p));
	const og = await NT.api('get/interface/origins.lua', { ifid: NT.ifid });
	const sites = og.rc === 0 ? og.rsp.filter(o => !o.local) : [];
	let html = '';
	if (peers.length)
		html += '<h5 class="mt-3">Peers</h5><table class="table table-sm table-striped" id="peers-table">' +
			'<thead><tr><th>Endpoint</th><th>Node</th><th>Site path</th><th>Messages</th><th>Flows</th>' +
			'<th>Rate</th><th>Msg drops</th><th>Restarts</th><th>Last seen</th></tr></thead><tbody>' +
			peers.map(p => '<tr><td>' + NT.esc(p.endpoint) + '</td><td>' + NT.esc(p.node_id || p.source_id) +
				'</td><td>' + NT.esc(p.site_path || '') + '</td><td>' + NT.num(p.messages) + '</td><td>' +
				NT.num(p.flows) + '</td><td>' + NT.bps((p.throughput_bps || 0) * 8) + '</td><td>' +
				NT.num(p.msg_drops) + '</td><td>' + NT.num((p.msg_rollbacks || 0) + (p.msg_restarts || 0)) +
				'</td><td>' + NT.esc(new Date(p.last_seen * 1000).toLocaleTimeString()) + '</td></tr>').join('') +
			'</tbody></table>';
	if (sites.length)
		html += '<h5 class="mt-3">Sites merged here</h5><table class="table table-sm table-striped" id="sites-table">' +
			'<thead><tr><th>Origin node</th><th>Site path</th><th>Bytes</th><th>Packets</th><th>Updates</th>' +
			'<th>Throughput</th><th>Echoes refused</th><th>Flows</th></tr></thead><tbody>' +
			sites.map(o => '<tr><td>' + NT.esc(o.origin) + '</td><td>' + NT.esc(o.site_path) + '</td><td>' +
				NT.bytes(o.bytes) + '</td><td>' + NT.num(o.packets) + '</td><td>' + NT.num(o.updates) +
				'</td><td>' + NT.bps(o.throughput_bps * 8) + '</td><td>' + NT.num(o.duplicates_refused) +
				'</td><td><a href="/lua/flows_stats.lua?ifid=' + NT.esc(NT.ifid) + '&origin=' +
				encodeURIComponent(o.origin) + '">flows</a></td></tr>').join('') + '</tbody></table>';
	src.insertAdjacentHTML('beforeend', html);
});
