/* db_search.js - the flows explorer (get/db/flows.lua, docs/webui.md):
 * a filter form, the totals, the top hosts and applications by bytes and
 * a paged, sorted table of the flows.  URL parameters epoch_begin,
 * epoch_end, host, port, l4proto, protocol, site, node preset the form. */
'use strict';
NT.start(async function () {
	const $ = id => document.getElementById(id);
	const hist = NT.ifaces.find(i => i.name === 'Historical');
	$('db-src').innerHTML = NT.ifaces.filter(i => i !== hist).map(i =>
		'<option value="' + NT.esc(i.ifid) + '"' + (i.ifid === NT.ifid ? ' selected' : '') + '>' +
		NT.esc(i.name || i.ifname) + '</option>').join('');
	const iso = t => new Date(t * 1000 - new Date(t * 1000).getTimezoneOffset() * 60000).toISOString().slice(0, 19);
	const epoch = v => Math.floor(new Date(v).getTime() / 1000);
	const now = Math.floor(Date.now() / 1000);
	const qn = (k, dflt) => (/^\d+$/.test(NT.qs(k) || '') ? Number(NT.qs(k)) : dflt);
	$('db-begin').value = iso(qn('epoch_begin', now - 3600));
	$('db-end').value = iso(qn('epoch_end', now));
	[['host', 'db-host'], ['port', 'db-port'], ['l4proto', 'db-l4'], ['protocol', 'db-proto'],
		['site', 'db-site'], ['node', 'db-node'], ['top', 'db-top']].forEach(([k, id]) => {
		if (NT.qs(k)) $(id).value = NT.qs(k);
	});
	/* node: a column of the ClickHouse flows table only (a node's day
	 * files hold its own flows) */
	const store = NT.session.features ? NT.session.features.flows_store : '';
	if (store !== 'clickhouse')
		['db-node'].forEach(id => {
			$(id).disabled = true;
			$(id).placeholder = 'ClickHouse only';
			$(id).value = '';
		});
	if (store === 'none')
		NT.alert($('db-msg'), 'secondary', 'No flow history: start the node with -F.');
	const filters = () => {
		const f = { ifid: $('db-src').value, epoch_begin: epoch($('db-begin').value),
			epoch_end: epoch($('db-end').value), top: $('db-top').value };
		const add = (k, id) => { const v = $(id).value.trim(); if (v) f[k] = v; };
		add('host', 'db-host');
		add('port', 'db-port');
		add('l4proto', 'db-l4');
		add('protocol', 'db-proto');
		add('site', 'db-site');
		add('node', 'db-node');
		return f;
	};
	const l4 = { 1: 'ICMP', 6: 'TCP', 17: 'UDP', 58: 'ICMPv6' };
	const hostCell = (ip, port) => NT.esc(ip) + (port ? ':' + port : '');
	const topTable = (id, rows, key, label) => {
		$(id).innerHTML = '<table class="table table-sm table-striped" id="' + id + '-table"><thead><tr><th>' +
			label + '</th><th>Flows</th><th>Bytes</th></tr></thead><tbody>' + (rows.length ? rows.map(r =>
			'<tr><td>' + (key === 'ip' ? '<a href="#" class="db-pick" data-host="' + NT.esc(r.ip) + '">' +
				NT.esc(r.ip) + '</a>' : NT.esc(r[key] || '(none)')) + '</td><td>' + NT.num(r.flows) + '</td><td data-bytes="' +
			r.bytes + '">' + NT.bytes(r.bytes) + '</td></tr>').join('') :
			'<tr><td colspan="3" class="text-muted">No data</td></tr>') + '</tbody></table>';
	};
	const t = new NT.Table({ el: $('db-list'), id: 'db-table', sortColumn: 'bytes', sortOrder: 'desc', columns: [
		{ label: 'First seen', sort: 'first_seen', render: r => NT.time(r.first_seen) },
		{ label: 'Last seen', sort: 'last_seen', render: r => NT.time(r.last_seen) },
		{ label: 'Application', render: r => NT.esc(r.l7_name || 'Unknown') },
		{ label: 'L4', render: r => NT.esc(l4[r.proto] || String(r.proto)) },
		{ label: 'Client', render: r => hostCell(r.cli_ip, r.cli_port) },
		{ label: 'Server', render: r => hostCell(r.srv_ip, r.srv_port) },
		{ label: 'Duration', sort: 'duration', render: r => NT.dur(r.duration) },
		{ label: 'Packets', sort: 'packets', render: r => NT.num(r.packets) },
		{ label: 'Bytes', sort: 'bytes', render: r => '<span data-bytes="' + r.bytes + '">' + NT.bytes(r.bytes) + '</span>' },
		{ label: 'Info', render: r => NT.esc(r.info || '') },
		/* ClickHouse rows say which writer and site they came from */
		{ label: 'Site', render: r => NT.esc(r.site_path || '') + (r.instance ?
			' <small class="text-muted">' + NT.esc(r.instance) + '</small>' : '') },
	], load: async params => {
		const js = await NT.api('get/db/flows.lua', Object.assign(filters(), params));
		if (js.rc !== 0) {
			NT.alert($('db-msg'), 'danger', js.rc_str_hr || 'failed');
			$('db-totals').innerHTML = '';
			topTable('db-top-hosts', [], 'ip', 'Host');
			topTable('db-top-protos', [], 'name', 'Application');
			return { data: [], totalRows: 0 };
		}
		const r = js.rsp;
		$('db-msg').innerHTML = (r.corrupt_files || []).length ? '<div class="alert alert-warning py-2">Unreadable: ' +
			r.corrupt_files.map(c => NT.esc(c.file) + ' (' + NT.esc(c.error) + ')').join(', ') + '</div>' : '';
		$('db-totals').innerHTML = '<span id="db-total-flows" data-n="' + r.totals.flows + '">' +
			NT.num(r.totals.flows) + ' flows</span>, <span id="db-total-bytes" data-n="' + r.totals.bytes + '">' +
			NT.bytes(r.totals.bytes) + '</span>, ' + NT.num(r.totals.packets) + ' packets <small class="text-muted">(' +
			NT.esc(r.backend) + (r.files_read ? ', ' + r.files_read.length + ' day file(s)' : '') + ')</small>';
		topTable('db-top-hosts', r.top_hosts, 'ip', 'Host');
		topTable('db-top-protos', r.top_protocols, 'name', 'Application');
		return r;
	} });
	/* a top host filters by it */
	$('db-top-hosts').addEventListener('click', ev => {
		const a = ev.target.closest('a.db-pick');
		if (!a) return;
		ev.preventDefault();
		$('db-host').value = a.dataset.host;
		t.page = 1;
		t.load();
	});
	/* administrators: load the range (ClickHouse: and the filters) into
	 * the Historical interface, to browse it like a live one */
	if (hist && store !== 'none' && NT.session.group === 'administrator') {
		$('db-hist').classList.remove('d-none');
		$('db-hist').addEventListener('click', async () => {
			const f = filters();
			/* ClickHouse: what the explorer shows, every writer's rows */
			const body = store === 'clickhouse'
				? { all: true, epoch_begin: f.epoch_begin, epoch_end: f.epoch_end }
				: { ifid: Number(f.ifid), epoch_begin: f.epoch_begin, epoch_end: f.epoch_end };
			if (store === 'clickhouse')
				['host', 'port', 'l4proto', 'protocol', 'site', 'node'].forEach(k => {
					if (f[k] !== undefined) body[k] = f[k];
				});
			NT.alert($('db-msg'), 'info', 'Loading...');
			const js = await NT.post('set/interface/historical.lua', body);
			if (js.rc !== 0) { NT.alert($('db-msg'), 'danger', js.rc_str_hr || 'failed'); return; }
			const r = js.rsp;
			$('db-msg').innerHTML = '<div class="alert alert-success py-2" id="db-hist-ok">Historical: ' +
				NT.num(r.loaded_flows) + ' flows, ' + NT.bytes(r.bytes) + ' loaded' +
				(store === 'clickhouse' ? '' : ' (the whole range: day files load unfiltered)') +
				'. <a href="/lua/flows_stats.lua?ifid=' + r.ifid + '">Flows</a> &middot; ' +
				'<a href="/lua/hosts_stats.lua?ifid=' + r.ifid + '">Hosts</a></div>';
		});
	}
	$('db-form').addEventListener('submit', ev => { ev.preventDefault(); t.page = 1; t.load(); });
	if (store !== 'none') t.load();
});
