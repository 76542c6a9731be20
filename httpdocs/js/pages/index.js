/* index.js - dashboard: counters, live throughput (1 s), top hosts,
 * protocols and flows. */
'use strict';
NT.start(async function () {
	const cards = document.getElementById('cards');
	const card = (id, label) => '<div class="col-6 col-lg-2"><div class="card nt-card"><div class="card-body">' +
		'<div class="text-muted small">' + label + '</div><div class="value" id="' + id + '">-</div></div></div></div>';
	cards.innerHTML = card('c-thpt', 'Throughput') + card('c-bytes', 'Traffic') + card('c-pkts', 'Packets') +
		card('c-hosts', 'Hosts') + card('c-flows', 'Flows') + card('c-drops', 'Drops');
	const chart = new Chart(document.getElementById('thpt'), {
		type: 'line',
		data: { labels: [], datasets: [{ label: 'bps', data: [], borderColor: NT.colors[0],
			backgroundColor: 'rgba(255,117,0,.15)', fill: true, pointRadius: 0, tension: .3 }] },
		options: { animation: false, maintainAspectRatio: false, plugins: { legend: { display: false } },
			scales: { y: { beginAtZero: true, suggestedMax: 1000, ticks: { callback: v => NT.bps(v) } } } },
	});
	async function tick() {
		const js = await NT.api('get/interface/data.lua', { ifid: NT.ifid });
		if (js.rc !== 0) return;
		const d = js.rsp;
		document.getElementById('c-thpt').textContent = NT.bps(d.throughput_bps * 8);
		document.getElementById('c-bytes').textContent = NT.bytes(d.bytes);
		document.getElementById('c-pkts').textContent = NT.num(d.packets);
		document.getElementById('c-hosts').textContent = NT.num(d.num_hosts);
		document.getElementById('c-flows').textContent = NT.num(d.num_flows);
		document.getElementById('c-drops').textContent = NT.num(d.drops);
		chart.data.labels.push(new Date().toLocaleTimeString());
		chart.data.datasets[0].data.push(d.throughput_bps * 8);
		if (chart.data.labels.length > 120) {
			chart.data.labels.shift();
			chart.data.datasets[0].data.shift();
		}
		chart.update();
	}
	await tick();
	setInterval(tick, 1000);

	const hosts = new NT.Table({ el: document.getElementById('top-hosts'), id: 'top-hosts-table',
		sortColumn: 'traffic', perPage: 10, columns: [
			{ label: 'Host', sort: 'ip', render: r => NT.hostLink(r.ip, r.vlan, r.name) },
			{ label: 'Flows', sort: 'num_flows', render: r => NT.num(r.num_flows.total) },
			{ label: 'Throughput', sort: 'thpt', render: r => NT.bps(r.thpt.bps) },
			{ label: 'Traffic', sort: 'traffic', render: r => NT.bytes(r.bytes.total) },
		], load: NT.lister('get/host/active.lua') });
	hosts.load();

	const l7 = await NT.api('get/interface/l7/stats.lua', { ifid: NT.ifid,
		ndpistats_mode: 'sinceStartup', max_values: 8 });
	const sl = l7.rc === 0 ? l7.rsp : [];
	new Chart(document.getElementById('top-protos'), {
		type: 'doughnut',
		data: { labels: sl.map(s => s.label), datasets: [{ data: sl.map(s => s.value),
			backgroundColor: NT.colors }] },
		options: { maintainAspectRatio: false, plugins: { legend: { position: 'right' },
			tooltip: { callbacks: { label: c => c.label + ': ' + NT.bytes(c.raw) } } } },
	});

	const flows = new NT.Table({ el: document.getElementById('top-flows'), id: 'top-flows-table',
		sortColumn: 'bytes', perPage: 10, columns: NT.flowColumns(),
		load: NT.lister('get/flow/active.lua') });
	flows.load();
});
