/* as_stats.js - autonomous systems (merge's AS table; AS 0: hosts in no AS). */
'use strict';
NT.aggList('get/asn/list.lua', { label: 'AS', render: r => r.asn ? 'AS' + r.asn + ' ' + NT.esc(r.asname) : 'Unknown' });
