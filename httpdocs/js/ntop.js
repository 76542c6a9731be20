/*
 * ntop.js - shared code of the web pages: layout (nav bar with the
 * interface selector, footer polling the interface summary), REST calls
 * (GET, and POST with the session's CSRF token), formatting, and a table
 * that lets the server sort and page (sortColumn, sortOrder, perPage,
 * currentPage of REST v2).  Every page script calls NT.start(fn).
 */
'use strict';

const NT = {
	ifid: 0,
	session: null,
	ifaces: [],
};

NT.esc = function (s) {
	return String(s === undefined || s === null ? '' : s)
		.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;').replace(/'/g, '&#39;');
};

NT.qs = function (name) {
	return new URLSearchParams(window.location.search).get(name);
};

NT.bytes = function (n) {
	const u = ['B', 'KB', 'MB', 'GB', 'TB'];
	let i = 0;
	n = Number(n) || 0;
	while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
	return (i ? n.toFixed(2) : n) + ' ' + u[i];
};

NT.bps = function (n) {
	const u = ['bps', 'kbps', 'Mbps', 'Gbps'];
	let i = 0;
	n = Number(n) || 0;
	while (n >= 1000 && i < u.length - 1) { n /= 1000; i++; }
	return n.toFixed(i ? 2 : 0) + ' ' + u[i];
};

NT.num = function (n) {
	return (Number(n) || 0).toLocaleString('en-US');
};

NT.time = function (s) {
	return s ? new Date(s * 1000).toLocaleString() : '';
};

NT.dur = function (s) {
	s = Number(s) || 0;
	const h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, x = s % 60;
	return (h ? h + 'h ' : '') + (h || m ? m + 'm ' : '') + x + 's';
};

NT.hostLink = function (ip, vlan, label) {
	const h = vlan ? ip + '@' + vlan : ip;
	return '<a href="/lua/host_details.lua?ifid=' + NT.ifid + '&host=' +
		encodeURIComponent(h) + '">' + NT.esc(label || h) + '</a>';
};

/* GET /lua/rest/v2/<path>; resolves to the envelope {rc, rsp, ...}. */
/* The alerts card of an entity page (docs/alerts.md): into element id,
 * the engaged alerts matching filter f ({entity, entity_val} or {} for
 * the whole interface) listed, the past ones counted, both counts linked
 * to the Alerts page with the same filter.  Element ids: <id>-count,
 * <id>-table. */
NT.entityAlerts = async function (id, f) {
	const q = Object.assign({ ifid: NT.ifid, perPage: 20 }, f);
	const en = await NT.api('get/alert/list.lua', Object.assign({}, q, { status: 'engaged' }));
	const pa = await NT.api('get/alert/list.lua', Object.assign({}, q, { status: 'past', perPage: 1 }));
	const el = document.getElementById(id);
	if (!el)
		return;
	if (en.rc !== 0 || pa.rc !== 0) { el.textContent = 'Alerts not available'; return; }
	const link = st => '/lua/show_alerts.lua?ifid=' + encodeURIComponent(NT.ifid) + '&status=' + st +
		Object.entries(f).map(([k, v]) => '&' + k + '=' + encodeURIComponent(v)).join('');
	el.innerHTML = '<p class="mb-2" id="' + id + '-count"><a href="' + link('engaged') + '">' +
		NT.num(en.rsp.totalRows) + ' engaged</a> · <a href="' + link('past') + '">' +
		NT.num(pa.rsp.totalRows) + ' past</a></p>' +
		(en.rsp.data.length ? '<table class="table table-sm mb-0" id="' + id + '-table"><tbody>' +
			en.rsp.data.map(a => '<tr><td>' + NT.time(a.tstamp) + '</td><td>' + NT.esc(a.severity_name) +
				'</td><td>' + NT.esc(a.type_key) + '</td><td>' + NT.esc(a.entity) + ' ' +
				NT.esc(a.entity_val) + '</td><td>' + NT.esc(a.msg) + '</td></tr>').join('') +
			'</tbody></table>' : '');
};

NT.api = async function (path, params) {
	const q = new URLSearchParams(params || {}).toString();
	const r = await fetch('/lua/rest/v2/' + path + (q ? '?' + q : ''),
		{ credentials: 'same-origin', headers: { Accept: 'application/json' } });
	if (r.redirected && r.url.indexOf('/lua/login.lua') >= 0) {
		window.location = r.url;
		throw new Error('not logged in');
	}
	if (r.status === 401 && !(r.headers.get('Content-Type') || '').startsWith('application/json')) {
		/* --http-401: the server answers instead of redirecting */
		window.location = '/lua/login.lua?referer=' +
			encodeURIComponent(window.location.pathname + window.location.search);
		throw new Error('not logged in');
	}
	return r.json();
};

/* POST JSON with the CSRF token of the session. */
NT.post = async function (path, body) {
	const r = await fetch('/lua/rest/v2/' + path, {
		method: 'POST', credentials: 'same-origin',
		headers: { 'Content-Type': 'application/json',
			   'X-CSRF-Token': NT.session ? NT.session.csrf : '' },
		body: JSON.stringify(body || {}),
	});
	return r.json();
};

/* Replaces the page body with a message (missing host, flow, ...). */
NT.fail = function (title, text) {
	document.getElementById('main').innerHTML =
		'<div class="alert alert-warning mt-3" id="nt-error"><h4>' + NT.esc(title) +
		'</h4><p class="mb-0">' + NT.esc(text) + '</p></div>';
};

NT.alert = function (el, kind, text) {
	el.innerHTML = '<div class="alert alert-' + kind + ' py-2">' + NT.esc(text) + '</div>';
};

/* The menu: [label, url], or [label, [[label, url], ...]] for a dropdown
 * (the host-centred tables share one, so the bar fits 1280 px). */
const NT_MENU = [
	['Dashboard', '/lua/index.lua'],
	['Hosts', [
		['Hosts', '/lua/hosts_stats.lua'],
		['Matrix', '/lua/hosts_matrix.lua'],
		['ASes', '/lua/as_stats.lua'],
		['Countries', '/lua/country_stats.lua'],
		['Hosts map', '/lua/hosts_geomap.lua'],
		['VLANs', '/lua/vlan_stats.lua'],
		['Aggregations', '/lua/aggregated_hosts_stats.lua'],
	]],
	['Flows', '/lua/flows_stats.lua'],
	['Protocols', '/lua/protocols_stats.lua'],
	['Alerts', '/lua/show_alerts.lua'],
	['Interfaces', [
		['Interfaces', '/lua/if_stats.lua'],
		['Topology', '/lua/topology.lua'],
	]],
	['Historical', [
		['Historical', '/lua/historical.lua'],
		['Flows explorer', '/lua/db_search.lua'],
	]],
];

NT.menuItem = function (m, here) {
	const link = (cls, u, label) => '<a class="' + cls + (here === u ? ' active' : '') +
		'" href="' + u + '?ifid=' + NT.ifid + '">' + label + '</a>';
	if (!Array.isArray(m[1]))
		return '<li class="nav-item">' + link('nav-link', m[1], m[0]) + '</li>';
	const open = m[1].some(x => x[1] === here);
	return '<li class="nav-item dropdown"><a class="nav-link dropdown-toggle' +
		(open ? ' active' : '') + '" href="#" data-bs-toggle="dropdown">' + m[0] +
		'</a><ul class="dropdown-menu">' +
		m[1].map(x => '<li>' + link('dropdown-item', x[1], x[0]) + '</li>').join('') +
		'</ul></li>';
};

NT.layout = function () {
	const s = NT.session, here = window.location.pathname;
	let items = NT_MENU.map(m => NT.menuItem(m, here)).join('');
	if (s.group === 'administrator')
		items += '<li class="nav-item dropdown"><a class="nav-link dropdown-toggle" href="#" ' +
			'data-bs-toggle="dropdown">Settings</a><ul class="dropdown-menu">' +
			'<li><a class="dropdown-item" href="/lua/admin/prefs.lua">Preferences</a></li>' +
			'<li><a class="dropdown-item" href="/lua/admin/users.lua">Users</a></li></ul></li>';
	const opts = NT.ifaces.map(i => '<option value="' + i.ifid + '"' +
		(i.ifid === NT.ifid ? ' selected' : '') + '>' + NT.esc(i.name || i.ifname) +
		(i.state === 'disabled' ? ' (disabled)' : '') + '</option>').join('');
	document.getElementById('nav').innerHTML =
		'<nav class="navbar navbar-expand-lg navbar-dark bg-dark"><div class="container-fluid">' +
		'<a class="navbar-brand" href="/lua/index.lua"><img src="/img/favicon.svg" alt="">ntopng</a>' +
		'<ul class="navbar-nav me-auto">' + items + '</ul>' +
		NT.searchBox() +
		'<a id="nt-alerts" class="badge bg-danger me-3 d-none text-decoration-none" ' +
		'title="Engaged alerts" href="/lua/show_alerts.lua?ifid=' + NT.ifid + '"></a>' +
		'<select id="nt-iface" class="form-select form-select-sm w-auto me-3" ' +
		'aria-label="Interface">' + opts + '</select>' +
		'<span class="navbar-text me-3" id="nt-user">' + NT.esc(s.user) + '</span>' +
		(s.session ? '<a class="btn btn-sm btn-outline-light" href="/lua/logout.lua">Log out</a>' : '') +
		'</div></nav>' +
		(s.default_password ? '<div class="alert alert-danger rounded-0 mb-0" id="nt-default-pw">' +
		 'The admin user still has the default password. ' +
		 '<a href="/lua/admin/users.lua">Change it now</a>.</div>' : '');
	NT.searchWire();
	document.getElementById('nt-iface').addEventListener('change', e => {
		const u = new URL(window.location.href);
		u.searchParams.set('ifid', e.target.value);
		window.localStorage.setItem('nt.ifid', e.target.value);
		window.location = u.toString();
	});
	document.getElementById('footer').innerHTML =
		'<div class="nt-footer bg-light border-top px-3 py-1 d-flex gap-4">' +
		'<div class="d-flex gap-4 flex-grow-1" id="nt-summary"><span>loading...</span></div>' +
		'<a id="nt-api-link" href="/lua/rest_api.lua">REST API</a></div>';
	NT.footer();
	setInterval(NT.footer, 3000);
};

/* The host search of the nav bar (get/host/find.lua: IP, MAC, name, AS
 * name, country): suggestions while typing, Enter opens the host page of
 * the suggestion typed or else of the first hit. */
NT.searchBox = function () {
	return '<form id="nt-search" class="d-flex me-3" role="search" autocomplete="off">' +
		'<input id="nt-search-q" class="form-control form-control-sm" type="search" ' +
		'placeholder="Search host" title="IP, MAC, name, AS name or country" aria-label="Search host" list="nt-search-list">' +
		'<datalist id="nt-search-list"></datalist></form>';
};

NT.searchFind = async function (q) {
	const js = await NT.api('get/host/find.lua', { ifid: NT.ifid, query: q, limit: 10 });
	return js.rc === 0 ? js.rsp.results : [];
};

NT.searchWire = function () {
	const form = document.getElementById('nt-search'), input = document.getElementById('nt-search-q');
	const list = document.getElementById('nt-search-list');
	let hits = [], timer = null;
	input.addEventListener('input', () => {
		input.classList.remove('is-invalid');
		clearTimeout(timer);
		const q = input.value.trim();
		if (q.length < 2) { list.innerHTML = ''; return; }
		timer = setTimeout(async () => {
			hits = await NT.searchFind(q);
			list.innerHTML = hits.map(h => '<option value="' + NT.esc(h.label) + '">' +
				NT.esc(h.ip + (h.name && h.name !== h.label ? ' ' + h.name : '')) +
				'</option>').join('');
		}, 200);
	});
	form.addEventListener('submit', async e => {
		e.preventDefault();
		const q = input.value.trim();
		if (!q) return;
		const found = await NT.searchFind(q);
		const h = found.find(x => x.label === q) || found[0];
		if (!h) { input.classList.add('is-invalid'); return; }
		window.location = '/lua/host_details.lua?ifid=' + NT.ifid + '&host=' + encodeURIComponent(h.key);
	});
};

NT.footer = async function () {
	const el = document.getElementById('nt-summary');
	try {
		const js = await NT.api('get/interface/data.lua', { ifid: NT.ifid, type: 'summary' });
		if (js.rc !== 0) { el.textContent = js.rc_str_hr; return; }
		const d = js.rsp;
		/* the display name (renamed in the preferences), not the input */
		const me = NT.ifaces.find(i => i.ifid === NT.ifid);
		el.innerHTML = '<span id="nt-ifname">' + NT.esc(me && me.name || d.ifname) + '</span>' +
			'<span>' + NT.bps((d.throughput_bps || 0) * 8) + '</span>' +
			'<span>' + NT.num(d.num_hosts) + ' hosts</span>' +
			'<span>' + NT.num(d.num_flows) + ' flows</span>' +
			'<span>drops ' + NT.num(d.drops) + '</span>' +
			'<span class="ms-auto">up ' + NT.esc(d.uptime) + ' · ' + NT.esc(d.localtime) + '</span>';
		/* the engaged alerts' badge of the nav bar (docs/alerts.md) */
		const b = document.getElementById('nt-alerts'), na = d.engaged_alerts || 0;
		if (b) {
			b.textContent = NT.num(na) + (na === 1 ? ' alert' : ' alerts');
			b.classList.toggle('d-none', na === 0);
		}
	} catch (e) {
		el.textContent = 'ntopng is not answering';
	}
};

/* Loads the session and interfaces, draws the layout, runs the page. */
NT.start = async function (page) {
	const s = await NT.api('get/ntopng/session.lua');
	NT.session = s.rsp;
	const ifs = await NT.api('get/ntopng/interfaces.lua');
	NT.ifaces = ifs.rsp || [];
	const want = NT.qs('ifid') !== null ? NT.qs('ifid') : window.localStorage.getItem('nt.ifid');
	NT.ifid = want !== null && /^\d+$/.test(want) ? Number(want) : 0;
	NT.layout();
	if (!NT.ifaces.some(i => i.ifid === NT.ifid)) {
		NT.fail('Interface not found', 'There is no interface with id ' + NT.ifid +
			'. Pick one in the selector above.');
		return;
	}
	await page();
};

/*
 * A table paged and sorted by the server.  opt: {el, columns: [{label,
 * sort (server column or null), render(row)}], load(params) -> Promise of
 * {data, totalRows} (or null when failed), sortColumn, sortOrder,
 * perPage, id}.
 */
NT.Table = class {
	constructor(opt) {
		this.o = opt;
		this.page = 1;
		this.per = opt.perPage || 10;
		this.col = opt.sortColumn;
		this.ord = opt.sortOrder || 'desc';
		this.o.el.innerHTML = '<div class="table-responsive"><table class="table table-sm ' +
			'table-striped table-hover nt-table"' + (opt.id ? ' id="' + opt.id + '"' : '') +
			'><thead></thead><tbody></tbody></table></div>' +
			'<div class="d-flex align-items-center gap-2 nt-pager">' +
			'<select class="form-select form-select-sm w-auto" aria-label="Rows per page">' +
			[10, 25, 50, 100].map(n => '<option' + (n === this.per ? ' selected' : '') +
				'>' + n + '</option>').join('') + '</select>' +
			'<span class="nt-info small text-muted"></span>' +
			'<ul class="pagination pagination-sm mb-0 ms-auto"></ul></div>';
		this.o.el.querySelector('select').addEventListener('change', e => {
			this.per = Number(e.target.value);
			this.page = 1;
			this.load();
		});
		this.head();
	}

	head() {
		const tr = this.o.columns.map((c, i) => '<th' + (c.sort ? ' class="nt-sort" data-i="' + i + '"' : '') +
			'>' + NT.esc(c.label) + (c.sort && c.sort === this.col ?
				' <span class="nt-arrow">' + (this.ord === 'asc' ? '▲' : '▼') + '</span>' : '') +
			'</th>').join('');
		const th = this.o.el.querySelector('thead');
		th.innerHTML = '<tr>' + tr + '</tr>';
		th.querySelectorAll('th.nt-sort').forEach(el => el.addEventListener('click', () => {
			const c = this.o.columns[Number(el.dataset.i)].sort;
			this.ord = c === this.col && this.ord === 'desc' ? 'asc' : 'desc';
			this.col = c;
			this.page = 1;
			this.head();
			this.load();
		}));
	}

	async load() {
		const res = await this.o.load({ perPage: this.per, currentPage: this.page,
			sortColumn: this.col, sortOrder: this.ord });
		const body = this.o.el.querySelector('tbody');
		if (!res) return;
		const rows = res.data || [];
		body.innerHTML = rows.length ? rows.map(r => '<tr>' + this.o.columns.map(c =>
			'<td>' + c.render(r) + '</td>').join('') + '</tr>').join('') :
			'<tr><td colspan="' + this.o.columns.length + '" class="text-muted">No data</td></tr>';
		const total = res.totalRows || 0, pages = Math.max(1, Math.ceil(total / this.per));
		const first = total ? (this.page - 1) * this.per + 1 : 0;
		this.o.el.querySelector('.nt-info').textContent = 'Showing ' + first + ' to ' +
			Math.min(total, this.page * this.per) + ' of ' + NT.num(total) + ' rows';
		const p = [];
		const add = (n, label, dis, act) => p.push('<li class="page-item' + (dis ? ' disabled' : '') +
			(act ? ' active' : '') + '"><a class="page-link" href="#" data-p="' + n + '">' + label + '</a></li>');
		add(this.page - 1, '«', this.page <= 1, false);
		for (let i = Math.max(1, this.page - 2); i <= Math.min(pages, this.page + 2); i++)
			add(i, String(i), false, i === this.page);
		add(this.page + 1, '»', this.page >= pages, false);
		const ul = this.o.el.querySelector('.pagination');
		ul.innerHTML = p.join('');
		ul.querySelectorAll('a').forEach(a => a.addEventListener('click', e => {
			e.preventDefault();
			const n = Number(a.dataset.p);
			if (n >= 1 && n <= pages && n !== this.page) { this.page = n; this.load(); }
		}));
	}
};

/* Columns of the flows tables (flows page, host details, dashboard). */
NT.flowColumns = function () {
	return [
		{ label: '', render: r => '<a href="/lua/flow_details.lua?ifid=' + NT.ifid +
			'&flow_key=' + encodeURIComponent(r.hash_id) + '">Info</a>' },
		{ label: 'Application', sort: 'ndpi', render: r => NT.esc(r.protocol.l7) },
		{ label: 'L4', sort: 'proto_l4', render: r => NT.esc(r.protocol.l4) },
		{ label: 'Client', sort: 'client', render: r => NT.hostLink(r.client.ip, r.vlan, (r.client.name || r.client.ip)) + ':' + r.client.port },
		{ label: 'Server', sort: 'server', render: r => NT.hostLink(r.server.ip, r.vlan, (r.server.name || r.server.ip)) + ':' + r.server.port },
		{ label: 'Duration', sort: 'duration', render: r => NT.dur(r.duration) },
		{ label: 'Throughput', sort: 'thpt', render: r => NT.bps(r.thpt.bps) },
		{ label: 'Bytes', sort: 'bytes', render: r => NT.bytes(r.bytes) },
		{ label: 'Info', sort: 'info', render: r => NT.esc(r.info || '') },
		{ label: 'Category', render: r => NT.esc(r.category || '') },
		{ label: 'Risk', render: r => NT.riskCell(r, false) },
	];
};

/* nDPI's flow risks of a flow row: a badge with the score, the risks'
 * names as its title, and as text too when full (docs/alerts.md). */
NT.riskCell = function (r, full) {
	const names = Object.values(r.flow_risk_info || {});
	if (!names.length) return '';
	return '<span class="badge bg-danger flow-risk" title="' + NT.esc(names.join(', ')) + '">' +
		NT.num(r.score || 0) + '</span>' + (full ? ' ' + NT.esc(names.join(', ')) : '');
};

/* Loader for any REST list answering {data, totalRows}. */
NT.lister = function (path, extra) {
	return async params => {
		const js = await NT.api(path, Object.assign({ ifid: NT.ifid }, extra || {}, params));
		return js.rc === 0 ? js.rsp : null;
	};
};

NT.colors = ['#ff7500', '#0d6efd', '#198754', '#dc3545', '#6f42c1', '#20c997',
	'#ffc107', '#0dcaf0', '#6c757d', '#d63384', '#adb5bd'];
