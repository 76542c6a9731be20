/* protocols_stats.js - L7 protocols of the interface: share chart, table,
 * and the traffic over time of the protocol picked in the selector
 * (NT.TsChart, iface:ndpi; ?protocol= preselects, default the busiest).
 * The chart and the table show the same shares: the chart's slices are the
 * nine busiest protocols and "Other" for the rest, the table's % column is
 * each protocol's share of the bytes to one decimal, rounded so that the
 * column adds up to 100 (largest remainders; the REST `percentage` is
 * upstream's floor(1 + share), which does not). */
'use strict';

/* Shares of vals in tenths of a percent, summing to exactly 1000. */
function shares(vals) {
	const sum = vals.reduce((a, v) => a + v, 0);
	if (!sum) return vals.map(() => 0);
	const raw = vals.map(v => v * 1000 / sum);
	const out = raw.map(Math.floor);
	let left = 1000 - out.reduce((a, v) => a + v, 0);
	raw.map((v, i) => [v - out[i], i]).sort((a, b) => b[0] - a[0])
		.forEach(([, i]) => { if (left > 0) { out[i]++; left--; } });
	return out;
}
NT.start(async function () {
	const js = await NT.api('get/interface/l7/data.lua', { ifid: NT.ifid });
	const rows = js.rc === 0 ? js.rsp : [];
	const col = NT.qs('sort') || 'bytes';
	rows.sort((a, b) => b.bytes.total - a.bytes.total);
	const pct = shares(rows.map(r => r.bytes.total));
	const top = rows.slice(0, rows.length > 10 ? 9 : 10);
	const labels = top.map(r => r.application.name);
	const data = top.map(r => r.bytes.total);
	if (rows.length > top.length) {
		labels.push('Other');
		data.push(rows.slice(top.length).reduce((a, r) => a + r.bytes.total, 0));
	}
	new Chart(document.getElementById('l7-chart'), {
		type: 'doughnut',
		data: { labels: labels, datasets: [{ data: data, backgroundColor: NT.colors }] },
		options: { maintainAspectRatio: false, plugins: { legend: { position: 'right' },
			tooltip: { callbacks: { label: c => c.label + ': ' + NT.bytes(c.raw) } } } },
	});
	document.getElementById('l7-table').innerHTML = '<table class="table table-sm table-striped" id="l7-table-t">' +
		'<thead><tr><th>Application</th><th>Breed</th><th>Flows</th><th>Packets</th><th>Sent</th><th>Received</th>' +
		'<th>Total</th><th>%</th></tr></thead><tbody>' +
		rows.map((r, i) => '<tr><td><a href="/lua/flows_stats.lua?ifid=' + NT.ifid + '&application=' +
			encodeURIComponent(r.application.name) + '">' + NT.esc(r.application.name) + '</a></td><td>' +
			NT.esc(r.breed) + '</td><td>' + NT.num(r.tot_num_flows) + '</td><td>' + NT.num(r.packets.total) +
			'</td><td>' + NT.bytes(r.bytes.sent) + '</td><td>' + NT.bytes(r.bytes.rcvd) + '</td><td>' +
			NT.bytes(r.bytes.total) + '</td><td>' + (pct[i] / 10).toFixed(1) + '</td></tr>').join('') +
		'</tbody></table>';
	void col;
	const sel = document.getElementById('l7-ts-proto');
	const want = NT.qs('protocol');
	sel.innerHTML = rows.map(r => '<option' + (r.application.name === want ? ' selected' : '') +
		'>' + NT.esc(r.application.name) + '</option>').join('');
	const ts = new NT.TsChart(document.getElementById('l7-ts-box'), { id: 'l7-ts', range: 3600,
		none: 'No time series for this protocol yet: protocols get one a minute after their first traffic.' });
	if (rows.length) ts.show({ schema: 'iface:ndpi', protocol: sel.value });
	else NT.alert(document.getElementById('l7-ts-box'), 'secondary', 'No traffic yet.');
	sel.addEventListener('change', () => ts.show({ schema: 'iface:ndpi', protocol: sel.value }));
});
