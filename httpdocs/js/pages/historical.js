/* historical.js - the Historical form (set/interface/historical.lua) and a
 * time-series chart of any series (NT.TsChart, get/timeseries/ts.lua).  Query
 * parameters ?schema=&host=&protocol= preselect the chart, so the host and
 * protocol pages can link here. */
'use strict';
NT.start(async function () {
	const src = document.getElementById('hist-src');
	const hist = NT.ifaces.find(i => i.name === 'Historical');
	const ch = NT.session.features && NT.session.features.flows_store === 'clickhouse';
	src.innerHTML = NT.ifaces.filter(i => i !== hist).map(i =>
		'<option value="' + NT.esc(i.ifid) + '">' + NT.esc(i.name || i.ifname) + '</option>').join('') +
		/* ClickHouse holds every writer's flows (a cluster: every hub's) */
		(ch ? '<option value="all">All writers (ClickHouse)</option>' : '');
	const iso = t => new Date(t * 1000 - new Date().getTimezoneOffset() * 60000).toISOString().slice(0, 19);
	const now = Math.floor(Date.now() / 1000);
	document.getElementById('hist-begin').value = iso(now - 3600);
	document.getElementById('hist-end').value = iso(now);
	const out = document.getElementById('hist-result');
	const admin = NT.session && NT.session.group === 'administrator';
	if (!hist)
		NT.alert(out, 'secondary', 'No Historical interface: start the node with -F (dump flows).');
	else if (!admin) {
		// the load replaces what every user sees: administrators only
		NT.alert(out, 'secondary', 'Only an administrator can load flows into the Historical interface.');
		document.querySelectorAll('#hist-form button').forEach(b => { b.disabled = true; });
	}
	document.getElementById('hist-form').addEventListener('submit', async ev => {
		ev.preventDefault();
		if (!hist || !admin) return;
		const b = Math.floor(new Date(document.getElementById('hist-begin').value).getTime() / 1000);
		const e = Math.floor(new Date(document.getElementById('hist-end').value).getTime() / 1000);
		NT.alert(out, 'info', 'Loading...');
		const js = await NT.post('set/interface/historical.lua', src.value === 'all'
			? { all: true, epoch_begin: b, epoch_end: e }
			: { ifid: Number(src.value), epoch_begin: b, epoch_end: e });
		if (js.rc !== 0) { NT.alert(out, 'danger', js.rc_str_hr || 'failed'); return; }
		const r = js.rsp;
		let h = '<div class="alert alert-success py-2" id="hist-ok">Loaded ' + NT.num(r.loaded_flows) +
			' flows (' + NT.bytes(r.bytes) + ', ' + NT.num(r.hosts) + ' hosts) from ' +
			(r.backend === 'clickhouse' ? 'ClickHouse' + (r.truncated ? ' (cut at the row limit)' : '')
				: r.files_read.length + ' file(s)') + '. <a href="/lua/hosts_stats.lua?ifid=' + r.ifid +
			'">Hosts</a> &middot; <a href="/lua/flows_stats.lua?ifid=' + r.ifid +
			'">Flows</a> &middot; <a href="/lua/protocols_stats.lua?ifid=' + r.ifid + '">Protocols</a></div>';
		if (r.error) h += '<div class="alert alert-danger py-2">ClickHouse: ' + NT.esc(r.error) + '</div>';
		if (r.rejected_rows) h += '<div class="alert alert-warning py-2">' + NT.num(r.rejected_rows) + ' unusable rows skipped.</div>';
		if (r.missing_files.length) h += '<div class="text-muted small">Missing: ' + r.missing_files.map(NT.esc).join(', ') + '</div>';
		if (r.corrupt_files.length) h += '<div class="alert alert-danger py-2" id="hist-corrupt">Unreadable: ' +
			r.corrupt_files.map(c => NT.esc(c.file) + ' (' + NT.esc(c.error) + ')').join(', ') + '</div>';
		out.innerHTML = h;
	});

	const chart = new NT.TsChart(document.getElementById('ts-box'), { id: 'ts-chart', range: 3600 });
	function draw() {
		const schema = document.getElementById('ts-schema').value;
		const arg = document.getElementById('ts-arg').value.trim();
		const p = { schema: schema };
		if (schema === 'host:traffic') p.host = arg;
		if (schema === 'iface:ndpi') p.protocol = arg;
		chart.show(p);
	}
	const q = NT.qs('schema');
	if (q) document.getElementById('ts-schema').value = q;
	if (NT.qs('host') || NT.qs('protocol')) document.getElementById('ts-arg').value = NT.qs('host') || NT.qs('protocol');
	document.getElementById('ts-form').addEventListener('submit', ev => { ev.preventDefault(); draw(); });
	draw();
});
