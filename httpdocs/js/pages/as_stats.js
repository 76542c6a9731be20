/* as_stats.js - autonomous systems ("Unknown" until GeoIP lands). */
'use strict';
NT.aggList('get/asn/list.lua', { label: 'AS', render: r => r.asn ? 'AS' + r.asn + ' ' + NT.esc(r.asname) : 'Unknown' });
