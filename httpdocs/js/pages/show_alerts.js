/* show_alerts.js - the Alerts page (docs/alerts.md): engaged and past
 * tabs over get/alert/list.lua, filters by severity, entity, entity
 * value and site path; names from get/alert/type/consts.lua. */
'use strict';
NT.start(async function () {
	const c = await NT.api('get/alert/type/consts.lua');
	const consts = c.rc === 0 ? c.rsp : { severities: [], entities: [] };
	const sevSel = document.getElementById('al-severity'), entSel = document.getElementById('al-entity');
	sevSel.innerHTML += consts.severities.map(s => '<option value="' + NT.esc(s.name) + '">' +
		NT.esc(s.name) + '</option>').join('');
	entSel.innerHTML += consts.entities.map(e => '<option value="' + NT.esc(e.name) + '">' +
		NT.esc(e.name) + '</option>').join('');
	const badge = { info: 'bg-info', notice: 'bg-secondary', warning: 'bg-warning text-dark',
		error: 'bg-danger', critical: 'bg-dark' };
	const num = v => (Number.isInteger(v) ? NT.num(v) : (v || 0).toFixed(2));
	let status = NT.qs('status') === 'past' ? 'past' : 'engaged';
	/* filters given in the URL (the host page's links) */
	[['severity', 'al-severity'], ['entity', 'al-entity'], ['entity_val', 'al-entity-val'],
		['site', 'al-site']].forEach(([k, id]) => { if (NT.qs(k)) document.getElementById(id).value = NT.qs(k); });
	const filters = () => {
		const f = { status: status };
		const add = (k, id) => { const v = document.getElementById(id).value.trim(); if (v) f[k] = v; };
		add('severity', 'al-severity');
		add('entity', 'al-entity');
		add('entity_val', 'al-entity-val');
		add('site', 'al-site');
		return f;
	};
	const t = new NT.Table({ el: document.getElementById('list'), id: 'alerts-table', columns: [
		{ label: 'Since', render: r => NT.time(r.tstamp) },
		{ label: 'Until', render: r => (r.tstamp_end ? NT.time(r.tstamp_end) : 'engaged') },
		{ label: 'Severity', render: r => '<span class="badge ' + (badge[r.severity_name] || 'bg-secondary') +
			'">' + NT.esc(r.severity_name) + '</span>' },
		{ label: 'Type', render: r => NT.esc(r.type_key) },
		{ label: 'Entity', render: r => NT.esc(r.entity) + ' ' + (r.entity === 'host'
			? NT.hostLink(r.entity_val.split('@')[0], Number(r.entity_val.split('@')[1] || 0), r.entity_val)
			: NT.esc(r.entity_val)) },
		{ label: 'Metric', render: r => NT.esc(r.metric) },
		{ label: 'Value', render: r => num(r.value) },
		{ label: 'Threshold', render: r => num(r.threshold) },
		{ label: 'Peak', render: r => num(r.peak) },
		{ label: 'Site', render: r => NT.esc(r.site_path || '') + (r.node_id ? ' <small class="text-muted">' +
			NT.esc(r.node_id) + '</small>' : '') },
		{ label: 'Message', render: r => NT.esc(r.msg) },
	], load: async params => {
		const js = await NT.api('get/alert/list.lua', Object.assign({ ifid: NT.ifid }, filters(), params));
		return js.rc === 0 ? js.rsp : null;
	} });
	document.querySelectorAll('#al-tabs a').forEach(a => a.addEventListener('click', e => {
		e.preventDefault();
		status = a.dataset.status;
		document.querySelectorAll('#al-tabs a').forEach(x => x.classList.toggle('active', x === a));
		t.page = 1;
		t.load();
	}));
	document.querySelectorAll('#al-tabs a').forEach(x => x.classList.toggle('active', x.dataset.status === status));
	document.getElementById('al-filters').addEventListener('change', () => { t.page = 1; t.load(); });
	document.getElementById('al-filters').addEventListener('submit', e => { e.preventDefault(); t.page = 1; t.load(); });
	t.load();
});
