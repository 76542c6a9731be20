/* country_stats.js - countries (merge's country table; "": not located). */
'use strict';
NT.aggList('get/country/list.lua', { label: 'Country', render: r => '<a href="/lua/hosts_stats.lua?ifid=' + NT.ifid +
	'&country=' + encodeURIComponent(r.country) + '">' + (r.country ? NT.esc(r.country) : 'Unknown') + '</a>' });
