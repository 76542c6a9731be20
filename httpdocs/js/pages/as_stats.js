/* as_stats.js - autonomous systems (merge's AS table; AS 0: hosts in no AS). */
'use strict';
NT.aggList('get/asn/list.lua', { label: 'AS', render: r => '<a href="/lua/hosts_stats.lua?ifid=' + NT.ifid +
	'&asn=' + encodeURIComponent(r.asn) + '">' + (r.asn ? 'AS' + NT.esc(r.asn) + ' ' + NT.esc(r.asname) : 'Unknown') + '</a>' });
