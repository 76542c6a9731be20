/* flows_stats.js - active flows, sorted and paged by the server. */
'use strict';
NT.start(async function () {
	const f = document.getElementById('filters');
	if (NT.qs('application')) f.application.value = NT.qs('application');
	if (NT.qs('l4proto')) f.l4proto.value = NT.qs('l4proto');
	const filters = () => {
		const x = {};
		if (f.l4proto.value) x.l4proto = f.l4proto.value;
		if (f.application.value) x.application = f.application.value;
		if (NT.qs('host')) x.host = NT.qs('host');
		if (NT.qs('origin')) x.origin = NT.qs('origin');   /* one site of a hub */
		return x;
	};
	const t = new NT.Table({ el: document.getElementById('flows'), id: 'flows-table',
		sortColumn: 'bytes', perPage: 25, columns: NT.flowColumns(),
		load: p => NT.lister('get/flow/active.lua', filters())(p) });
	f.addEventListener('change', () => { t.page = 1; t.load(); });
	f.addEventListener('submit', e => { e.preventDefault(); t.page = 1; t.load(); });
	t.load();
});
