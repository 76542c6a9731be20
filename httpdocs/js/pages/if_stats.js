/* if_stats.js - every interface with its counters, the selected one's
 * traffic over time (NT.TsChart, iface:traffic), and the sources merged
 * into it (get/interface/sources.lua when the node has it).
 *
 * Sources: one row per source with the columns every kind has (kind,
 * input, state, records, bytes, errors); the kind's own ledger (dozens of
 * counters, nested by cause) is shown on demand in a row under it, as
 * name/value pairs that wrap, so that the table always fits the page. */
'use strict';

const SOURCE_KINDS = {
	pcap_file: 'pcap file', pcap_live: 'capture', zmq: 'ZMQ', historical: 'Historical',
};

function sourceKind(s) {
	if (s.kind === 'flow_udp')
		return String(s.spec || '').startsWith('sflow://') ? 'sFlow' : 'NetFlow/IPFIX';
	return SOURCE_KINDS[s.kind] || String(s.kind || '');
}

/* {a: {b: 1}} -> [['a.b', 1]]; the peers list is shown in its own table */
function flatten(o, prefix, out) {
	for (const [k, v] of Object.entries(o)) {
		if (k === 'probes' && !prefix)
			continue;
		const name = prefix ? prefix + '.' + k : k;
		if (v !== null && typeof v === 'object' && !Array.isArray(v))
			flatten(v, name, out);
		else
			out.push([name, Array.isArray(v) ? v.length + ' item(s)' : v]);
	}
	return out;
}

function sourceDetails(s) {
	return '<dl class="row g-0 mb-0 small nt-src-details">' + flatten(s, '', []).map(([k, v]) =>
		'<dt class="col-6 col-md-3 col-xl-2 text-truncate" title="' + NT.esc(k) + '">' + NT.esc(k) +
		'</dt><dd class="col-6 col-md-3 col-xl-2 text-break">' +
		(typeof v === 'number' ? NT.num(v) : NT.esc(v)) + '</dd>').join('') + '</dl>';
}

function sourcesTable(list) {
	return '<table class="table table-sm" id="sources-table"><thead><tr>' +
		'<th>#</th><th>Kind</th><th>Input</th><th>State</th><th class="text-end">Records</th>' +
		'<th class="text-end">Bytes</th><th class="text-end">Errors</th><th></th></tr></thead><tbody>' +
		list.map((s, i) => {
			const idx = s.index !== undefined ? s.index : i;
			return '<tr class="nt-src-row"><td>' + NT.esc(idx) + '</td><td>' + NT.esc(sourceKind(s)) +
				'</td><td class="nt-src-spec text-truncate" title="' + NT.esc(s.spec) + '">' +
				NT.esc(s.spec) + '</td><td>' + NT.esc(s.state) + '</td><td class="text-end">' +
				NT.num(s.records) + '</td><td class="text-end">' + NT.bytes(s.bytes) +
				'</td><td class="text-end">' + NT.num(s.errors) + '</td><td class="text-end">' +
				'<button type="button" class="btn btn-sm btn-outline-secondary nt-src-toggle" ' +
				'aria-expanded="false" aria-controls="src-detail-' + NT.esc(idx) + '" data-index="' +
				NT.esc(idx) + '">Details</button></td></tr>' +
				'<tr class="d-none nt-src-detail" id="src-detail-' + NT.esc(idx) + '"><td colspan="8">' +
				sourceDetails(s) + '</td></tr>';
		}).join('') + '</tbody></table>';
}
/* The State cell: an administrator gets a switch that enables or
 * disables the interface (set/interface/state.lua: a disabled one closes
 * its sources and keeps its tables), anyone else the words. */
function stateCell(d) {
	const words = d.disabled ? 'disabled' : d.input_ended ? 'input ended' : 'running';
	if (!NT.session || NT.session.group !== 'administrator')
		return '<span id="if-state-' + NT.esc(d.ifid) + '">' + NT.esc(words) + '</span>';
	return '<div class="form-check form-switch mb-0"><input class="form-check-input nt-if-switch" ' +
		'type="checkbox" role="switch" id="if-enabled-' + NT.esc(d.ifid) + '" data-ifid="' +
		NT.esc(d.ifid) + '"' + (d.disabled ? '' : ' checked') + '><label class="form-check-label" ' +
		'for="if-enabled-' + NT.esc(d.ifid) + '" id="if-state-' + NT.esc(d.ifid) + '">' +
		NT.esc(words) + '</label></div>';
}

async function setEnabled(sw) {
	const ifid = Number(sw.dataset.ifid), want = sw.checked ? 'enabled' : 'disabled';
	const label = document.getElementById('if-state-' + ifid);
	sw.disabled = true;
	const js = await NT.post('set/interface/state.lua', { ifid: ifid, state: want });
	sw.disabled = false;
	if (js.rc === 0) {
		label.textContent = js.rsp.state === 'disabled' ? 'disabled' : 'running';
		sw.checked = js.rsp.state !== 'disabled';
	} else {
		sw.checked = !sw.checked;
		label.textContent = js.rc_str_hr || 'failed';
		label.classList.add('text-danger');
	}
}

NT.start(async function () {
	const rows = [];
	for (const i of NT.ifaces) {
		const js = await NT.api('get/interface/data.lua', { ifid: i.ifid });
		if (js.rc === 0) rows.push(Object.assign({ label: i.name || i.ifname }, js.rsp));
	}
	document.getElementById('ifaces').innerHTML = '<div class="table-responsive">' +
		'<table class="table table-sm table-striped" id="ifaces-table">' +
		'<thead><tr><th>Id</th><th>Name</th><th>Input</th><th>Packets</th><th>Bytes</th><th>Throughput</th>' +
		'<th>Hosts</th><th>Flows</th><th>Drops</th><th>Decode errors</th><th>State</th></tr></thead><tbody>' +
		rows.map(d => '<tr' + (Number(d.ifid) === NT.ifid ? ' class="table-warning"' : '') + '><td>' + NT.esc(d.ifid) +
			'</td><td class="nt-if-input text-truncate" title="' + NT.esc(d.label) + '"><a href="/lua/if_stats.lua?ifid=' + NT.esc(d.ifid) + '">' + NT.esc(d.label) + '</a></td><td class="nt-if-input text-truncate" title="' +
			NT.esc(d.ifname) + '">' + NT.esc(d.ifname) + '</td><td>' + NT.num(d.packets) + '</td><td>' + NT.bytes(d.bytes) + '</td><td>' +
			NT.bps(d.throughput_bps * 8) + '</td><td>' + NT.num(d.num_hosts) + '</td><td>' + NT.num(d.num_flows) +
			'</td><td>' + NT.num(d.drops) + '</td><td>' + NT.num(d.decode_errors ? d.decode_errors.bad_packets : 0) +
			'</td><td>' + stateCell(d) + '</td></tr>').join('') +
		'</tbody></table></div>';
	for (const sw of document.querySelectorAll('input.nt-if-switch'))
		sw.addEventListener('change', () => setEnabled(sw));
	const me = NT.ifaces.find(i => i.ifid === NT.ifid);
	document.getElementById('if-ts-name').textContent = me ? (me.name || me.ifname) : NT.ifid;
	NT.entityAlerts('if-alerts', {});
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
	src.innerHTML = sourcesTable(list);
	for (const btn of src.querySelectorAll('button.nt-src-toggle'))
		btn.addEventListener('click', () => {
			const row = document.getElementById('src-detail-' + btn.dataset.index);
			const open = row.classList.toggle('d-none') === false;
			btn.setAttribute('aria-expanded', open ? 'true' : 'false');
			btn.textContent = open ? 'Hide' : 'Details';
		});
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
		html += '<h5 class="mt-3">Peers</h5><div class="table-responsive">' +
			'<table class="table table-sm table-striped" id="peers-table">' +
			'<thead><tr><th>Endpoint</th><th>Node</th><th>Site path</th><th>Messages</th><th>Flows</th>' +
			'<th>Rate</th><th>Msg drops</th><th>Restarts</th><th>Last seen</th></tr></thead><tbody>' +
			peers.map(p => '<tr><td>' + NT.esc(p.endpoint) + '</td><td>' + NT.esc(p.node_id || p.source_id) +
				'</td><td>' + NT.esc(p.site_path || '') + '</td><td>' + NT.num(p.messages) + '</td><td>' +
				NT.num(p.flows) + '</td><td>' + NT.bps((p.throughput_bps || 0) * 8) + '</td><td>' +
				NT.num(p.msg_drops) + '</td><td>' + NT.num((p.msg_rollbacks || 0) + (p.msg_restarts || 0)) +
				'</td><td>' + NT.esc(new Date(p.last_seen * 1000).toLocaleTimeString()) + '</td></tr>').join('') +
			'</tbody></table></div>';
	if (sites.length)
		html += '<h5 class="mt-3">Sites merged here</h5><div class="table-responsive">' +
			'<table class="table table-sm table-striped" id="sites-table">' +
			'<thead><tr><th>Origin node</th><th>Site path</th><th>Bytes</th><th>Packets</th><th>Updates</th>' +
			'<th>Throughput</th><th>Echoes refused</th><th>Flows</th></tr></thead><tbody>' +
			sites.map(o => '<tr><td>' + NT.esc(o.origin) + '</td><td>' + NT.esc(o.site_path) + '</td><td>' +
				NT.bytes(o.bytes) + '</td><td>' + NT.num(o.packets) + '</td><td>' + NT.num(o.updates) +
				'</td><td>' + NT.bps(o.throughput_bps * 8) + '</td><td>' + NT.num(o.duplicates_refused) +
				'</td><td><a href="/lua/flows_stats.lua?ifid=' + NT.esc(NT.ifid) + '&origin=' +
				encodeURIComponent(o.origin) + '">flows</a></td></tr>').join('') + '</tbody></table></div>';
	src.insertAdjacentHTML('beforeend', html);
});
