/* country_stats.js - countries (merge's country table; "": not located). */
'use strict';
NT.aggList('get/country/list.lua', { label: 'Country', render: r => r.country ? NT.esc(r.country) : 'Unknown' });
