/* flow_details.js - one flow by its id (hash_id); a flow that is gone
 * gives a page that says so. */
'use strict';
NT.start(async function () {
	const key = NT.qs('flow_key');
	if (!key || !/^\d+$/.test(key)) { NT.fail('No flow given', 'Open this page from a flows list.'); return; }
	const js = await NT.api('get/flow/details.lua', { ifid: NT.ifid, flow_key: key });
	if (js.rc !== 0) {
		NT.fail('Flow not found', 'Flow ' + key + ' is not active on interface ' + NT.ifid +
			' (it may have ended and been purged).');
		return;
	}
	const f = js.rsp;
	const item = (k, v) => '<tr><th class="w-25">' + NT.esc(k) + '</th><td>' + v + '</td></tr>';
	document.getElementById('flow').innerHTML = '<table class="table table-sm" id="flow-table">' +
		item('Client', NT.hostLink(f.client.ip, f.vlan, f.client.name || f.client.ip) + ' port ' + f.client.port) +
		item('Server', NT.hostLink(f.server.ip, f.vlan, f.server.name || f.server.ip) + ' port ' + f.server.port) +
		item('VLAN', f.vlan) + item('Protocol', NT.esc(f.protocol.l4) + ' / ' + NT.esc(f.protocol.l7) +
			(f.guessed ? ' (guessed)' : '')) +
		item('First seen', NT.time(f.first_seen)) + item('Last seen', NT.time(f.last_seen)) +
		item('Duration', NT.dur(f.duration)) +
		item('Client to server', NT.bytes(f['cli2srv.bytes']) + ' / ' + NT.num(f['cli2srv.packets']) + ' packets') +
		item('Server to client', NT.bytes(f['srv2cli.bytes']) + ' / ' + NT.num(f['srv2cli.packets']) + ' packets') +
		item('Total', NT.bytes(f.bytes) + ' (' + f.breakdown.cli2srv + '% / ' + f.breakdown.srv2cli + '%)') +
		item('Throughput', NT.bps(f.thpt.bps)) + item('Info', NT.esc(f.info)) +
		item('Flow risks', NT.riskCell(f, true) || 'none') +
		item('Score', NT.num(f.score) + ' (client ' + NT.num(f['score.as_client']) +
			', server ' + NT.num(f['score.as_server']) + ')') +
		extraRows(f.additional_fields, item) + '</table>';
});

/* The exporter's fields this node does not keep as flow columns. */
function extraRows(x, item) {
	if (!x || typeof x !== 'object') return '';
	return Object.keys(x).sort().map(k =>
		item(k, NT.esc(typeof x[k] === 'string' ? x[k] : JSON.stringify(x[k])))).join('');
}
