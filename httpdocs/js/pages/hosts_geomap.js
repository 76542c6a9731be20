/* hosts_geomap.js - the hosts map (/lua/hosts_geomap.lua): every host that
 * GeoIP placed, as a circle on a Leaflet map (Debian's libjs-leaflet,
 * served by the node), one colour per origin node (at a hub, the edge
 * sites whose flows brought the host).  The backdrop is the tile URL of
 * --map-tiles-url when set, else the coarse world outline the node serves
 * (/geo/world-outline.json): without that option the page makes no request
 * outside the node. */
'use strict';
NT.start(async function () {
	const js = await NT.api('get/geo/hosts.lua', { ifid: NT.ifid });
	if (js.rc !== 0) { NT.fail('No map', js.rc_str || 'The interface has no hosts map.'); return; }
	const d = js.rsp;
	const map = L.map('geomap', { worldCopyJump: true, minZoom: 1, maxZoom: 12 }).setView([25, 10], 2);
	if (d.tiles_url) {
		L.tileLayer(d.tiles_url, { maxZoom: 12 }).addTo(map);
	} else {
		const r = await fetch('/geo/world-outline.json', { credentials: 'same-origin' });
		if (r.ok)
			L.geoJSON(await r.json(), { interactive: false,
				style: { color: '#7a8a99', weight: 1, fillColor: '#f4f1ea', fillOpacity: 1 } }).addTo(map);
		document.getElementById('map-note').textContent +=
			' Backdrop: a coarse world outline served by this node (set --map-tiles-url for map tiles).';
	}
	const colours = ['#0d6efd', '#dc3545', '#198754', '#fd7e14', '#6f42c1', '#20c997', '#d63384', '#6c757d'];
	const originColour = {};
	d.origins.forEach((o, i) => { originColour[o.id] = colours[i % colours.length]; });
	const max = Math.max(1, ...d.hosts.map(h => h.bytes));
	d.hosts.forEach(h => {
		const where = [h.city, h.country].filter(x => x).join(', ');
		L.circleMarker([h.lat, h.lon], {
			radius: 5 + 10 * Math.sqrt(h.bytes / max),
			color: originColour[h.origin] || colours[0], weight: 2, fillOpacity: 0.5,
		}).bindPopup(NT.hostLink(h.ip, h.vlan, h.name || h.ip) + '<br>' + NT.esc(where) +
			(h.asn ? '<br>AS' + h.asn + ' ' + NT.esc(h.asname) : '') +
			'<br>' + NT.bytes(h.bytes) + (d.origins.length > 1 ? '<br>via ' + NT.esc(h.origin) : ''))
			.addTo(map);
	});
	document.getElementById('map-origins').innerHTML = d.origins.length > 1 ?
		'<h5>Sites</h5><ul class="list-unstyled" id="map-sites">' + d.origins.map(o =>
			'<li><span style="color:' + originColour[o.id] + '">&#9679;</span> ' + NT.esc(o.id) +
			': ' + NT.num(o.located_hosts) + ' located hosts</li>').join('') + '</ul>' : '';
	const rows = d.hosts.slice().sort((a, b) => b.bytes - a.bytes);
	document.getElementById('map-hosts').innerHTML = '<table class="table table-sm" id="map-hosts-table">' +
		'<thead><tr><th>Host</th><th>Country</th><th>City</th><th>AS</th><th>Traffic</th></tr></thead><tbody>' +
		(rows.length ? rows.map(h => '<tr><td>' + NT.hostLink(h.ip, h.vlan, h.name || h.ip) + '</td><td>' +
			NT.esc(h.country) + '</td><td>' + NT.esc(h.city) + '</td><td>' +
			(h.asn ? 'AS' + h.asn + ' ' + NT.esc(h.asname) : '') + '</td><td>' + NT.bytes(h.bytes) +
			'</td></tr>').join('') :
			'<tr><td colspan="5" class="text-muted">No host has a location (no GeoIP City database, ' +
			'or no host it knows)</td></tr>') + '</tbody></table>' +
		(d.truncated ? '<p class="text-muted small">Only the first ' + rows.length + ' hosts are shown.</p>' : '');
});
