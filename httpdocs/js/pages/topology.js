/* topology.js - the hierarchy below this node (/lua/topology.lua): every
 * node whose flows reach this interface (from the origins' site paths)
 * and every link, drawn as plain SVG, top-down from this node, updated
 * every 2 s.  Direct links (a peer node this interface subscribes to)
 * carry their own state, lag and counters (sources.lua, "link"); links
 * further down are known from the site paths (grey).  A node links to
 * its flows (flows_stats.lua?origin=). */
'use strict';
NT.start(async function () {
	const el = document.getElementById('topo-svg');
	const COL = { up: '#198754', down: '#dc3545', warn: '#fd7e14', relayed: '#6c757d' };

	function build(origins, sources) {
		const local = origins.find(o => o.local) || { origin: 'this node' };
		const root = local.origin;
		const nodes = {}, links = {};
		const node = id => nodes[id] || (nodes[id] = { id: id, path: '', origin: null, peer: null });
		node(root).root = true;
		origins.filter(o => !o.local).forEach(o => {
			const ids = o.site_path.split('>');
			ids.forEach((id, i) => {
				const n = node(id);
				/* its site path as seen from here: it, then the
				 * nodes between it and us */
				if (!n.path) n.path = ids.slice(i).join('>');
				const to = i + 1 < ids.length ? ids[i + 1] : root;
				const k = id + '>' + to;
				links[k] = links[k] || { from: id, to: to, bps: 0, origins: [] };
				links[k].bps += o.throughput_bps || 0;
				links[k].origins.push(o);
			});
			node(o.origin).origin = o;
		});
		sources.forEach(s => (s.probes || []).forEach(p => {
			if (!p.link) return;
			const n = node(p.link.node);
			n.peer = p;
			if (!n.path) n.path = p.site_path || p.link.node;
			const k = p.link.node + '>' + root;
			links[k] = links[k] || { from: p.link.node, to: root, bps: 0, origins: [] };
			links[k].peer = p;
			links[k].bps = p.throughput_bps || links[k].bps;
		}));
		Object.values(links).forEach(l => {
			const lk = l.peer && l.peer.link;
			const missed = l.origins.reduce((a, o) => a + ((o.missed_expired || {}).bytes || 0), 0);
			l.missed = missed;
			if (!lk) l.state = 'relayed';
			else if (lk.state === 'down') l.state = 'down';
			else if (lk.spool_batches || lk.declared_loss || missed) l.state = 'warn';
			else l.state = 'up';
		});
		return { root: root, nodes: nodes, links: Object.values(links) };
	}

	/* depth = hops to the root; nodes of one depth side by side */
	function layout(t) {
		const depth = {}, up = {};
		t.links.forEach(l => { up[l.from] = l.to; });
		const d = id => {
			if (depth[id] !== undefined) return depth[id];
			depth[id] = 0;
			let n = 0, x = id;
			const seen = {};
			while (up[x] !== undefined && !seen[x]) { seen[x] = 1; x = up[x]; n++; }
			return (depth[id] = n);
		};
		Object.keys(t.nodes).forEach(d);
		const rows = {};
		Object.keys(t.nodes).sort().forEach(id => (rows[depth[id]] = rows[depth[id]] || []).push(id));
		const W = Math.max(600, el.clientWidth || 900), H = 110;
		const pos = {};
		Object.keys(rows).forEach(k => rows[k].forEach((id, i) => {
			pos[id] = { x: (i + 1) * W / (rows[k].length + 1), y: 50 + Number(k) * H };
		}));
		return { pos: pos, w: W, h: 80 + Object.keys(rows).length * H };
	}

	function draw(t) {
		const L = layout(t), p = L.pos;
		let s = '<svg xmlns="http://www.w3.org/2000/svg" id="topo" width="100%" height="' + L.h +
			'" viewBox="0 0 ' + L.w + ' ' + L.h + '">';
		t.links.forEach(l => {
			const a = p[l.from], b = p[l.to];
			if (!a || !b) return;
			const lk = l.peer && l.peer.link;
			const label = NT.bps((l.bps || 0) * 8) + (lk ? ' · p99 ' + lk.lag_p99_ms + ' ms' +
				(lk.spool_batches ? ' · spool ' + lk.spool_batches : '') +
				(lk.declared_loss ? ' · loss ' + lk.declared_loss : '') : '') +
				(l.missed ? ' · missed ' + NT.bytes(l.missed) : '');
			s += '<g class="topo-link" data-from="' + NT.esc(l.from) + '" data-to="' + NT.esc(l.to) +
				'" data-state="' + l.state + '"><line x1="' + a.x + '" y1="' + a.y + '" x2="' + b.x +
				'" y2="' + b.y + '" stroke="' + COL[l.state] + '" stroke-width="4"' +
				(l.state === 'relayed' ? ' stroke-dasharray="6 4"' : '') + '/>' +
				'<text x="' + ((a.x + b.x) / 2 + 6) + '" y="' + ((a.y + b.y) / 2) +
				'" font-size="11" fill="' + COL[l.state] + '">' + NT.esc(l.state + ' · ' + label) +
				'</text></g>';
		});
		Object.values(t.nodes).forEach(n => {
			const q = p[n.id];
			const o = n.origin, pe = n.peer;
			const ver = (pe && pe.node_version) || (o && o.version) || '';
			const upt = (pe && pe.link && pe.link.uptime) || (o && o.uptime) || 0;
			const body = '<circle cx="' + q.x + '" cy="' + q.y + '" r="16" fill="' +
				(n.root ? '#0d6efd' : '#f8f9fa') + '" stroke="#343a40" stroke-width="2"/>' +
				'<text x="' + q.x + '" y="' + (q.y + 32) + '" text-anchor="middle" font-size="13" ' +
				'font-weight="bold">' + NT.esc(n.id) + '</text>' +
				'<text x="' + q.x + '" y="' + (q.y + 46) + '" text-anchor="middle" font-size="10" ' +
				'fill="#6c757d">' + NT.esc((n.root ? 'this node' : n.path) +
					(ver ? ' · v' + ver : '') + (upt ? ' · up ' + NT.dur(upt) : '')) + '</text>';
			s += '<g class="topo-node" data-node="' + NT.esc(n.id) + '">' + (n.root ? body :
				'<a href="/lua/flows_stats.lua?ifid=' + NT.ifid + '&amp;origin=' +
				encodeURIComponent(n.id) + '">' + body + '</a>') + '</g>';
		});
		el.innerHTML = s + '</svg>';
		document.querySelector('#topo-nodes tbody').innerHTML = Object.values(t.nodes)
			.filter(n => !n.root).map(n => {
				const o = n.origin || {}, pe = n.peer || {}, m = o.missed_expired || {};
				return '<tr data-node="' + NT.esc(n.id) + '"><td><a href="/lua/flows_stats.lua?ifid=' +
					NT.ifid + '&origin=' + encodeURIComponent(n.id) + '">' + NT.esc(n.id) + '</a></td><td>' +
					NT.esc(n.path) + '</td><td>' + NT.esc(pe.node_version || o.version || '') + '</td><td>' +
					((pe.link && pe.link.uptime) || o.uptime ?
						NT.dur((pe.link && pe.link.uptime) || o.uptime) : '-') + '</td><td>' +
					(o.restarts || 0) + (o.orphaned_flows ? ' (' + NT.num(o.orphaned_flows) +
						' flows left without their end)' : '') + '</td><td>' + NT.bytes(o.bytes || 0) + '</td><td>' +
					NT.bps((o.throughput_bps || 0) * 8) + '</td><td>' + NT.num(m.flows || 0) +
					' flows, ' + NT.bytes(m.bytes || 0) + '</td></tr>';
			}).join('') || '<tr><td colspan="8" class="text-muted">No node below this one</td></tr>';
		document.querySelector('#topo-links tbody').innerHTML = t.links.map(l => {
			const lk = (l.peer && l.peer.link) || {};
			return '<tr data-from="' + NT.esc(l.from) + '" data-state="' + l.state + '"><td>' +
				NT.esc(l.from) + '</td><td>' + NT.esc(l.to) + '</td><td><span style="color:' +
				COL[l.state] + '">&#9679;</span> ' + l.state + '</td><td>' + NT.bps((l.bps || 0) * 8) +
				'</td><td>' + (lk.lag_samples ? lk.lag_p50_ms + ' / ' + lk.lag_p99_ms + ' ms' : '-') +
				'</td><td>' + NT.num(lk.messages || 0) + '</td><td>' + NT.num(lk.resends || 0) +
				'</td><td>' + NT.num(lk.spool_batches || 0) + ' batches, ' + NT.bytes(lk.spool_bytes || 0) +
				'</td><td>' + NT.num(lk.declared_loss || 0) + '</td><td>' + NT.bytes(l.missed || 0) +
				'</td></tr>';
		}).join('') || '<tr><td colspan="10" class="text-muted">No link</td></tr>';
		document.getElementById('topo-updated').textContent = 'updated ' +
			new Date().toLocaleTimeString();
	}

	async function refresh() {
		try {
			const [o, s] = await Promise.all([
				NT.api('get/interface/origins.lua', { ifid: NT.ifid }),
				NT.api('get/interface/sources.lua', { ifid: NT.ifid })]);
			if (o.rc === 0 && s.rc === 0)
				draw(build(o.rsp || [], s.rsp || []));
		} catch (e) {
			/* the node went away: keep the last picture */
		}
		setTimeout(refresh, 2000);
	}
	refresh();
});
