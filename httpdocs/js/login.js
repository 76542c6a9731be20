/* login.js - fills the hidden referer and says why the last try failed.
 * The hidden csrf field is filled by the server (webui/httpd.c). */
'use strict';
(function () {
	const q = new URLSearchParams(window.location.search);
	document.getElementById('referer').value = q.get('referer') || '/lua/index.lua';
	const why = { 'wrong-credentials': 'Wrong user name or password.',
		locked: 'Too many failed logins from your address: wait 5 minutes.',
		csrf: 'The login form had expired: please log in again.' }[q.get('reason')];
	if (why)
		document.getElementById('reason').innerHTML =
			'<div class="alert alert-danger py-2" id="login-error">' + why + '</div>';
})();
