/* rest_api.js - the REST API as the node describes it
 * (/lua/rest/v2/openapi.json, written by tools/openapi.py): one card per
 * route with its method, path, who may call it, its parameters and the
 * schema of its answer's rsp, $refs followed.  Nothing is fetched from
 * outside the node. */
'use strict';

let API = null;

/* #/components/schemas/X -> the schema */
function deref(s) {
	let n = 0;
	while (s && s.$ref && n++ < 20) {
		const parts = s.$ref.replace(/^#\//, '').split('/');
		s = parts.reduce((o, k) => (o ? o[k] : undefined), API);
	}
	return s || {};
}

/* A schema as indented text: {key: type, ...}, [items], enums, refs by name */
function schemaText(s, depth) {
	const pad = '  '.repeat(depth);
	if (depth > 6)
		return '…';
	if (s.$ref)
		return s.$ref.split('/').pop() + ' ' + schemaText(deref(s), depth);
	if (s.oneOf || s.anyOf)
		return (s.oneOf || s.anyOf).map(x => schemaText(x, depth)).join(' | ');
	if (s.allOf)
		return s.allOf.map(x => schemaText(x, depth)).join(' & ');
	if (s.type === 'array')
		return '[' + schemaText(s.items || {}, depth) + ']';
	if (s.type === 'object' || s.properties) {
		const req = new Set(s.required || []);
		const keys = Object.entries(s.properties || {}).map(([k, v]) =>
			pad + '  ' + k + (req.has(k) ? '' : '?') + ': ' + schemaText(v, depth + 1));
		if (s.additionalProperties && typeof s.additionalProperties === 'object')
			keys.push(pad + '  <key>: ' + schemaText(s.additionalProperties, depth + 1));
		return keys.length ? '{\n' + keys.join(',\n') + '\n' + pad + '}' : '{…}';
	}
	if (s.enum)
		return s.enum.map(v => JSON.stringify(v)).join('|');
	return s.type || 'any';
}

function routeCard(path, method, op, i) {
	const params = (op.parameters || []).map(p =>
		'<tr><td><code>' + NT.esc(p.name) + '</code></td><td>' + NT.esc(schemaText(p.schema || {}, 0)) +
		'</td><td>' + (p.required ? 'yes' : '') + '</td><td>' + NT.esc(p.description || '') + '</td></tr>').join('');
	const ok = op.responses && op.responses['200'];
	/* JSON answers, or the text of /metrics */
	const body = ok && ok.content ? ok.content['application/json'] || Object.values(ok.content)[0] : null;
	let rsp = body && body.schema ? body.schema : {};
	if (rsp.allOf) /* the envelope and its rsp */
		rsp = (rsp.allOf[1].properties || {}).rsp || {};
	return '<div class="card mb-2 nt-api-route" data-path="' + NT.esc(path) + '"><div class="card-header py-1">' +
		'<span class="badge ' + (method === 'get' ? 'bg-primary' : 'bg-warning text-dark') + ' me-2">' +
		method.toUpperCase() + '</span><span class="nt-path">' + NT.esc(path) + '</span> ' +
		(op['x-administrator'] ? '<span class="badge bg-danger ms-2">administrator</span>' : '') +
		'<span class="text-muted ms-2">' + NT.esc(op.summary || '') + '</span>' +
		'<button type="button" class="btn btn-sm btn-link float-end nt-api-more" data-bs-toggle="collapse" ' +
		'data-bs-target="#api-r' + i + '" aria-expanded="false">details</button></div>' +
		'<div class="collapse" id="api-r' + i + '"><div class="card-body">' +
		(params ? '<table class="table table-sm"><thead><tr><th>Parameter</th><th>Type</th><th>Required</th>' +
			'<th>Description</th></tr></thead><tbody>' + params + '</tbody></table>' :
			'<p class="text-muted">No parameters.</p>') +
		'<h6>Answer (<code>rsp</code>)</h6><pre class="bg-light p-2">' + NT.esc(schemaText(rsp, 0)) +
		'</pre></div></div></div>';
}

NT.start(async function () {
	const r = await fetch('/lua/rest/v2/openapi.json', { credentials: 'same-origin' });
	if (!r.ok) {
		NT.fail('No API document', 'The node did not serve /lua/rest/v2/openapi.json (' + r.status + ').');
		return;
	}
	API = await r.json();
	document.getElementById('api-intro').textContent = API.info.description;
	const routes = [];
	for (const [path, ops] of Object.entries(API.paths))
		for (const [method, op] of Object.entries(ops))
			routes.push([path, method, op]);
	const box = document.getElementById('api-routes');
	box.innerHTML = '<p id="api-count">' + routes.length + ' routes</p>' +
		routes.map(([p, m, op], i) => routeCard(p, m, op, i)).join('');
	document.getElementById('api-filter').addEventListener('input', e => {
		const q = e.target.value.toLowerCase();
		for (const c of box.querySelectorAll('.nt-api-route'))
			c.classList.toggle('d-none', q !== '' && !c.dataset.path.toLowerCase().includes(q));
	});
});
