/* users.js - users administration (administrators): list, add, delete,
 * change passwords, make an API token. */
'use strict';
NT.start(async function () {
	const msg = document.getElementById('msg');
	const say = (r, ok) => NT.alert(msg, r.rc === 0 ? 'success' : 'danger', r.rc === 0 ? ok : r.rc_str_hr);
	async function list() {
		const js = await NT.api('get/ntopng/users.lua');
		const users = js.rc === 0 ? js.rsp : [];
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
		if (r.rc === 0) {
			pw.reset();
			const b = document.getElementById('nt-default-pw');
			if (b && (!body.username || body.username === 'admin') && NT.session.user === 'admin') b.remove();
		}
	});
	document.getElementById('tok').addEventListener('click', async () => {
		const r = await NT.post('create/ntopng/api_token.lua', {});
		if (r.rc === 0) document.getElementById('tokval').textContent = r.rsp.api_token; else say(r, '');
	});
});
