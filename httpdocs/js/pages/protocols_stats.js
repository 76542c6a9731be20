/* protocols_stats.js - L7 protocols of the interface: chart and table. */
'use strict';
NT.start(async function () {
	const js = await NT.api('get/interface/l7/data.lua', { ifid: NT.ifid });
	const rows = js.rc === 0 ? js.rsp : [];
	const col = NT.qs('sort') || 'bytes';
	rows.sort((a, b) => b.bytes.total - a.bytes.total);
	const top = rows.slice(0, 10);
	new Chart(document.getElementById('l7-chart'), {
		type: 'doughnut',
		data: { labels: top.map(r => r.application.name), datasets: [{ data: top.map(r => r.bytes.total),
			backgroundColor: NT.colors }] },
		options: { maintainAspectRatio: false, plugins: { legend: { position: 'right' },
			tooltip: { callbacks: { label: c => c.label + ': ' + NT.bytes(c.raw) } } } },
	});
	document.getElementById('l7-table').innerHTML = '<table class="table table-sm table-striped" id="l7-table-t">' +
		'<thead><tr><th>Application</th><th>Breed</th><th>Flows</th><th>Packets</th><th>Sent</th><th>Received</th>' +
		'<th>Total</th><th>%</th></tr></thead><tbody>' +
		rows.map(r => '<tr><td><a href="/lua/flows_stats.lua?ifid=' + NT.ifid + '&application=' +
			encodeURIComponent(r.application.name) + '">' + NT.esc(r.application.name) + '</a></td><td>' +
			NT.esc(r.breed) + '</td><td>' + NT.num(r.tot_num_flows) + '</td><td>' + NT.num(r.packets.total) +
			'</td><td>' + NT.bytes(r.bytes.sent) + '</td><td>' + NT.bytes(r.bytes.rcvd) + '</td><td>' +
			NT.bytes(r.bytes.total) + '</td><td>' + r.bytes.percentage + '</td></tr>').join('') + '</tbody></table>';
	void col;
});
