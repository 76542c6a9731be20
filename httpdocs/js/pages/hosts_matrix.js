/* hosts_matrix.js - who talks to whom among the busiest hosts. */
'use strict';
NT.start(async function () {
	const js = await NT.api('get/interface/matrix.lua', { ifid: NT.ifid, max_hosts: 12 });
	const el = document.getElementById('matrix');
	if (js.rc !== 0 || !js.rsp.hosts.length) { el.innerHTML = '<p class="text-muted">No hosts.</p>'; return; }
	const h = js.rsp.hosts, m = js.rsp.matrix;
	let max = 1;
	m.forEach(r => r.forEach(v => { if (v > max) max = v; }));
	const label = x => x.name || x.ip;
	el.innerHTML = '<div class="table-responsive"><table class="table table-sm table-bordered nt-matrix" id="matrix-table">' +
		'<thead><tr><td></td>' + h.map(x => '<th>' + NT.esc(label(x)) + '</th>').join('') + '</tr></thead><tbody>' +
		m.map((r, i) => '<tr><td class="text-start">' + NT.hostLink(h[i].ip, h[i].vlan, label(h[i])) + '</td>' +
			r.map(v => '<td style="background: rgba(255,117,0,' + (v ? 0.1 + 0.9 * v / max : 0).toFixed(2) + ')"' +
				' title="' + NT.bytes(v) + '">' + (v ? NT.bytes(v) : '') + '</td>').join('') + '</tr>').join('') +
		'</tbody></table></div>';
});
