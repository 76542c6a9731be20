/* users.js - users administration (administrators): list, add, delete,
 * change passwords (your own: you log in again, as every session of that
 * user ends), make an API token (shown once). */
'use strict';
NT.start(async function () {
	const msg = document.getElementById('msg');
	const say = (r, ok) => NT.alert(msg, r.rc === 0 ? 'success' : 'danger', r.rc === 0 ? ok : r.rc_str_hr);
	async function list() {
		// upstream's shape: an object keyed by user name
		const js = await NT.api('get/ntopng/users.lua');
		const users = js.rc === 0 && js.rsp && typeof js.rsp === 'object' ?
			Object.keys(js.rsp).sort().map(k => Object.assign({ username: k }, js.rsp[k])) : [];
		document.getElementById('users').innerHTML = '<table class="table table-sm" id="users-table"><thead><tr>' +
			'<th>User</th><th>Full name</th><th>Group</th><th></th></tr></thead><tbody>' +
			users.map(u => '<tr><td>' + NT.esc(u.username) + '</td><td>' + NT.esc(u.full_name) + '</td><td>' +
				NT.esc(u.group) + '</td><td>' + (u.username === 'admin' || u.username === NT.session.user ? '' :
				'<button class="btn btn-sm btn-outline-danger" data-user="' + NT.esc(u.username) +
				'">Delete</button>') + '</td></tr>').join('') + '</tbody></table>';
		document.querySelectorAll('#users button').forEach(b => b.addEventListener('click', async () => {
			if (!window.confirm('Delete user ' + b.dataset.user + '?')) return;
			say(await NT.post('set/ntopng/user/delete.lua', { username: b.dataset.user }), 'User deleted.');
			list();
		}));
	}
	await list();
	const add = document.getElementById('add');
	add.addEventListener('submit', async e => {
		e.preventDefault();
		const r = await NT.post('set/ntopng/user/add.lua', Object.fromEntries(new FormData(add)));
		say(r, 'User added.');
		if (r.rc === 0) { add.reset(); list(); }
	});
	const pw = document.getElementById('pw');
	pw.addEventListener('submit', async e => {
		e.preventDefault();
		const body = Object.fromEntries(new FormData(pw));
		if (!body.username) delete body.username;
		const r = await NT.post('set/ntopng/user/password.lua', body);
		say(r, 'Password changed.');
		// A new password ends the user's sessions, ours too if it was ours.
		if (r.rc === 0 && NT.session.session && (!body.username || body.username === NT.session.user)) {
			window.location.href = '/lua/login.lua?referer=' + encodeURIComponent('/lua/admin/users.lua');
			return;
		}
		if (r.rc === 0) {
			pw.reset();
			const b = document.getElementById('nt-default-pw');
			if (b && (!body.username || body.username === 'admin') && NT.session.user === 'admin') b.remove();
		}
	});
	document.getElementById('tok').addEventListener('click', async () => {
		const r = await NT.post('create/ntopng/api_token.lua', {});
		// Shown this once: the node keeps only a hash of it.
		if (r.rc === 0) {
			document.getElementById('tokval').textContent = r.rsp.api_token;
			NT.alert(msg, 'warning', 'Copy the token now: it is shown only once, and it replaces your previous one.');
		} else say(r, '');
	});
});
