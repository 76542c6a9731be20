/*
 * ts_chart.js - one time-series chart, shared by the interface, host,
 * protocol and historical pages.  It draws a range selector, a message line
 * and a Chart.js line chart of GET get/timeseries/ts.lua (RRD, see
 * docs/storage.md): every series whose label holds "bytes" is drawn as
 * bit/s.  The server answers NOT_FOUND until the first snapshot has been
 * written, and nulls for the seconds or minutes without data; both are
 * said in words instead of an empty chart.
 *
 *   const c = new NT.TsChart(el, { id: 'if-ts', range: 600 });
 *   c.show({ schema: 'iface:traffic' });       // or host:traffic + host,
 *                                              // iface:ndpi + protocol
 * The canvas gets the id, so tests can find it with Chart.getChart(id).
 */
'use strict';

NT.TsChart = class {
	constructor(el, opt) {
		this.o = opt || {};
		this.params = null;
		this.chart = null;
		const id = this.o.id || 'ts-chart';
		const ranges = [[600, '10 minutes'], [3600, 'hour'], [86400, 'day'],
			[604800, 'week'], [2592000, 'month']];
		const want = this.o.range || 3600;
		el.innerHTML = '<div class="d-flex align-items-center gap-2 mb-2">' +
			'<label class="small text-muted" for="' + id + '-range">Last</label>' +
			'<select class="form-select form-select-sm w-auto" id="' + id + '-range">' +
			ranges.map(r => '<option value="' + r[0] + '"' + (r[0] === want ? ' selected' : '') +
				'>' + r[1] + '</option>').join('') + '</select>' +
			'<span class="small text-muted nt-ts-total" id="' + id + '-total"></span></div>' +
			'<div id="' + id + '-msg"></div>' +
			'<div class="nt-ts"><canvas id="' + id + '"></canvas></div>';
		this.range = el.querySelector('select');
		this.msg = el.querySelector('#' + id + '-msg');
		this.total = el.querySelector('.nt-ts-total');
		this.canvas = el.querySelector('canvas');
		this.range.addEventListener('change', () => this.draw());
	}

	/* Draws the series named by p ({schema, host, vlan, protocol}). */
	show(p) {
		this.params = p;
		return this.draw();
	}

	async draw() {
		if (!this.params) return;
		const span = Number(this.range.value);
		const t = Math.floor(Date.now() / 1000);
		const q = Object.assign({ ifid: NT.ifid, epoch_begin: t - span, epoch_end: t },
			this.params);
		const js = await NT.api('get/timeseries/ts.lua', q);
		if (this.chart) { this.chart.destroy(); this.chart = null; }
		this.total.textContent = '';
		if (js.rc !== 0) {
			this.canvas.parentNode.hidden = true;
			NT.alert(this.msg, 'secondary', this.o.none ||
				'No time series for this yet: the first snapshot is written within a minute.');
			return;
		}
		const r = js.rsp;
		const long = span > 86400;
		const labels = [];
		for (let x = r.start + r.step; x <= r.end; x += r.step) {
			const d = new Date(x * 1000);
			labels.push(long ? d.toLocaleDateString() + ' ' + d.toLocaleTimeString() :
				d.toLocaleTimeString());
		}
		const bytes = r.series.filter(s => /bytes/.test(s.label));
		const sets = bytes.map((s, i) => ({
			label: s.label.replace(/_/g, ' ') + ' (bit/s)',
			data: s.data.map(v => v === null ? null : v * 8),
			borderColor: NT.colors[i % NT.colors.length],
			backgroundColor: NT.colors[i % NT.colors.length] + '33',
			fill: true, borderWidth: 1.5, spanGaps: false,
			/* a value between two gaps has no line: show it as a dot */
			pointRadius: c => {
				const d = c.dataset.data, i = c.dataIndex;
				return d[i] !== null && (i === 0 || d[i - 1] === null) &&
					(i === d.length - 1 || d[i + 1] === null) ? 3 : 0;
			} }));
		const sum = bytes.reduce((a, s) => a + (s.total || 0), 0);
		const known = bytes.some(s => s.data.some(v => v !== null));
		this.canvas.parentNode.hidden = false;
		this.msg.innerHTML = '';
		if (!known)
			NT.alert(this.msg, 'secondary', 'No data in this range yet.');
		else
			this.total.textContent = NT.bytes(sum) + ' in this range, ' +
				(r.step === 1 ? 'one point a second' :
				 r.step === 60 ? 'one point a minute' :
				 'one point every ' + NT.dur(r.step));
		this.chart = new Chart(this.canvas, {
			type: 'line', data: { labels: labels, datasets: sets },
			options: { animation: false, maintainAspectRatio: false,
				interaction: { mode: 'index', intersect: false },
				scales: { x: { ticks: { maxTicksLimit: 10 } },
					  y: { beginAtZero: true, grace: '10%',
					       ticks: { callback: v => NT.bps(v) } } },
				plugins: { tooltip: { callbacks: {
					label: c => c.dataset.label.replace(' (bit/s)', '') + ': ' +
						NT.bps(c.raw) } } } },
		});
	}
};
