/* aggregated_hosts_stats.js - the -A aggregations of one family (DNS
 * names queried, HTTP hosts, operating systems), server-paged, and the
 * contacts of the name clicked (docs/aggregations.md). */
'use strict';
NT.start(async function () {
	const sel = document.getElementById('family');
	const fam = new URLSearchParams(window.location.search).get('family');
	if (fam && ['dns', 'http', 'os'].indexOf(fam) >= 0)
		sel.value = fam;
	const info = await NT.api('get/aggregation/families.lua', { ifid: NT.ifid });
	const st = document.getElementById('state');
	if (info.rc === 0)
		st.textContent = info.rsp.enabled ? NT.num(info.rsp.num_aggregations) + ' aggregates' +
			(info.rsp.refused ? ', ' + NT.num(info.rsp.refused) + ' refused (table full)' : '')
			: 'Aggregations are off: start ntopng with -A 1 or -A 2';
	const box = document.getElementById('contacts');
	async function contacts(name) {
		const js = await NT.api('get/aggregation/contacts.lua',
			{ ifid: NT.ifid, family: sel.value, name: name });
		if (js.rc !== 0) {
			NT.alert(box, 'warning', js.rc_str_hr || 'Not found');
			return;
		}
		const r = js.rsp;
		box.innerHTML = '<h5>Contacts of ' + NT.esc(r.name) + '</h5>' +
			'<table class="table table-sm table-striped nt-table" id="contacts-table"><thead><tr>' +
			'<th>Host</th><th>Local</th><th>Count</th><th>Last seen</th></tr></thead><tbody>' +
			r.contacts.map(c => '<tr><td><a href="/lua/host_details.lua?ifid=' + NT.ifid +
				'&host=' + encodeURIComponent(c.ip) + (c.vlan ? '@' + c.vlan : '') + '">' +
				NT.esc(c.ip) + (c.vlan ? '@' + c.vlan : '') + '</a></td><td>' +
				(c.local ? 'yes' : 'no') + '</td><td>' + NT.num(c.count) + '</td><td>' +
				NT.time(c.seen_last) + '</td></tr>').join('') + '</tbody></table>' +
			(r.contacts_dropped ? '<p class="small text-muted">' + NT.num(r.contacts_dropped) +
				' more contacts not kept</p>' : '');
	}
	const t = new NT.Table({ el: document.getElementById('list'), id: 'aggr-table',
		sortColumn: 'queries', columns: [
			{ label: 'Name', sort: 'name', render: r => '<a href="#" class="nt-aggr" data-name="' +
				NT.esc(r.name) + '">' + NT.esc(r.name) + '</a>' },
			{ label: 'Queries', sort: 'queries', render: r => NT.num(r.queries) },
			{ label: 'Flows', sort: 'flows', render: r => NT.num(r.flows) },
			{ label: 'Contacts', sort: 'num_contacts', render: r => NT.num(r.num_contacts) },
			{ label: 'Traffic', sort: 'bytes', render: r => NT.bytes(r.bytes) },
			{ label: 'First seen', sort: 'seen_first', render: r => NT.time(r.seen_first) },
			{ label: 'Last seen', sort: 'seen_last', render: r => NT.time(r.seen_last) },
		], load: async params => {
			const js = await NT.api('get/aggregation/list.lua',
				Object.assign({ ifid: NT.ifid, family: sel.value }, params));
			return js.rc === 0 ? js.rsp : null;
		} });
	document.getElementById('list').addEventListener('click', e => {
		const a = e.target.closest('a.nt-aggr');
		if (!a)
			return;
		e.preventDefault();
		contacts(a.dataset.name);
	});
	sel.addEventListener('change', () => {
		box.innerHTML = '';
		t.page = 1;
		t.load();
	});
	t.load();
});
