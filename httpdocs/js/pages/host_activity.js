/* host_activity.js - the host page's activity map (docs/hosts.md): a
 * heatmap of get/host/activitymap.lua (active seconds per minute over the
 * last 24 hours: one row per hour, one cell per minute, darker = more
 * seconds active) drawn on a canvas, and the hosts whose activity
 * correlates best with this one (get/host/correlation.lua, Pearson and
 * Jaccard).  Only local hosts (-m) have a map. */
'use strict';
NT.hostActivity = async function (box, h) {
	const host = h.ip + (h.vlan ? '@' + h.vlan : '');
	const js = await NT.api('get/host/activitymap.lua', { ifid: NT.ifid, host: host });
	const map = js.rc === 0 ? js.rsp : {};
	const keys = Object.keys(map).map(Number);
	if (!keys.length) {
		box.innerHTML = '<p class="text-muted mb-0" id="host-activity-none">No activity map: ' +
			(h.localhost ? 'no activity in the last 24 hours.' :
				'only local hosts (-m) get one, and this host is remote.') + '</p>';
		return;
	}
	const endHour = Math.floor(Math.max.apply(null, keys) / 3600);
	const start = (endHour - 23) * 3600;
	const cell = 12, left = 48, top = 16;
	box.innerHTML = '<canvas id="host-activity-map" width="' + (left + 60 * cell) + '" height="' +
		(top + 24 * cell) + '" style="max-width:100%"></canvas>' +
		'<p class="small text-muted" id="host-activity-total"></p>' +
		'<div class="row" id="host-activity-corr"></div>';
	const cv = document.getElementById('host-activity-map');
	const g = cv.getContext('2d');
	g.font = '10px sans-serif';
	g.fillStyle = '#666';
	for (let m = 0; m < 60; m += 10)
		g.fillText(':' + String(m).padStart(2, '0'), left + m * cell, 11);
	let total = 0;
	for (let r = 0; r < 24; r++) {
		const t = new Date((start + r * 3600) * 1000);
		g.fillStyle = '#666';
		g.fillText(String(t.getHours()).padStart(2, '0') + ':00', 2, top + r * cell + 10);
		for (let m = 0; m < 60; m++) {
			const v = map[String(start + r * 3600 + m * 60)] || 0;
			total += v;
			g.fillStyle = v ? 'rgba(13,110,253,' + (0.25 + 0.75 * v / 60).toFixed(3) + ')' : '#eef1f4';
			g.fillRect(left + m * cell, top + r * cell, cell - 1, cell - 1);
		}
	}
	document.getElementById('host-activity-total').textContent = total +
		' active seconds in the 24 hours to ' + NT.time(start + 24 * 3600) + '.';
	const corr = async (method, title) => {
		const c = await NT.api('get/host/correlation.lua', { ifid: NT.ifid, host: host, method: method, max: 5 });
		const rows = c.rc === 0 ? c.rsp : [];
		return '<div class="col-md-6"><h6>' + NT.esc(title) + '</h6><table class="table table-sm" id="host-corr-' +
			method + '"><tbody>' + (rows.length ? rows.map(r => '<tr><td>' +
				NT.hostLink(r.ip, r.vlan, r.name || r.ip) + '</td><td>' + r.value.toFixed(3) + '</td></tr>').join('') :
			'<tr><td class="text-muted">No other host with a map</td></tr>') + '</tbody></table></div>';
	};
	document.getElementById('host-activity-corr').innerHTML =
		await corr('pearson', 'Correlated activity (Pearson)') + await corr('jaccard', 'Similar activity (Jaccard)');
};
