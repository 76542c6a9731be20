/* prefs.js - preferences (administrators): interface names, idle logout,
 * flow history retention. */
'use strict';
NT.start(async function () {
	const msg = document.getElementById('msg');
	const js = await NT.api('get/ntopng/prefs.lua');
	if (js.rc !== 0) { NT.fail('Preferences', js.rc_str_hr); return; }
	const p = js.rsp;
	document.getElementById('ifnames').innerHTML = '<table class="table table-sm" id="ifnames-table"><thead><tr>' +
		'<th>Id</th><th>Input</th><th>Name</th><th></th></tr></thead><tbody>' +
		p.interfaces.map(i => '<tr><td>' + i.ifid + '</td><td>' + NT.esc(i.ifname) + '</td><td>' +
			'<input class="form-control form-control-sm" data-ifid="' + i.ifid + '" maxlength="63" value="' +
			NT.esc(i.custom_name) + '" placeholder="' + NT.esc(i.name) + '" aria-label="Name of interface ' +
			i.ifid + '"></td><td><button class="btn btn-sm btn-primary" data-ifid="' + i.ifid +
			'">Rename</button></td></tr>').join('') + '</tbody></table>';
	document.querySelectorAll('#ifnames button').forEach(b => b.addEventListener('click', async () => {
		const id = b.dataset.ifid;
		const name = document.querySelector('#ifnames input[data-ifid="' + id + '"]').value;
		const r = await NT.post('set/interface/name.lua', { ifid: id, name: name });
		NT.alert(msg, r.rc === 0 ? 'success' : 'danger', r.rc === 0 ? 'Interface ' + id + ' renamed.' : r.rc_str_hr);
	}));
	const ttl = document.getElementById('ttl');
	ttl.value = p.auth_session_duration;
	document.getElementById('sess').addEventListener('submit', async e => {
		e.preventDefault();
		const r = await NT.post('set/ntopng/prefs.lua', { auth_session_duration: ttl.value });
		NT.alert(msg, r.rc === 0 ? 'success' : 'danger', r.rc === 0 ? 'Saved.' : r.rc_str_hr);
	});
	const ret = document.getElementById('retention');
	ret.value = p.flows_retention_days || 0;
	document.getElementById('ret').addEventListener('submit', async e => {
		e.preventDefault();
		const r = await NT.post('set/ntopng/prefs.lua', { flows_retention_days: ret.value });
		NT.alert(msg, r.rc === 0 ? 'success' : 'danger', r.rc === 0 ? 'Saved.' : r.rc_str_hr);
	});
});
