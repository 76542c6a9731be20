/* vlan_stats.js - VLANs, from the interface's VLAN table. */
'use strict';
NT.aggList('get/vlan/list.lua', { label: 'VLAN', sort: 'vlan', render: r =>
	'<a href="/lua/hosts_stats.lua?ifid=' + NT.ifid + '&vlan=' + r.vlan + '">' + (r.vlan || '0 (untagged)') + '</a>' });
