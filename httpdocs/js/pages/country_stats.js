/* country_stats.js - countries ("Unknown" until GeoIP lands). */
'use strict';
NT.aggList('get/country/list.lua', { label: 'Country', render: r => r.country ? NT.esc(r.country) : 'Unknown' });
