/*
 * flow_fields.h - the flow field dictionary: the canonical ids of the rows
 * of common/flow_fields.def, and the helpers its users share.
 *
 * The .def is an X-macro: each user defines FF(...) (or FW_COL(...)) to
 * generate what it needs from the same rows, so that the ZMQ decoder's
 * label table, id list and decode switch (collector/zmq_fields.c), both
 * export encoders (exporter/export.c), the NetFlow/IPFIX element names
 * (collector/netflow.c) and the SQLite column list (exporter/writer.c,
 * sources/historical.c) cannot drift apart.  docs/extending.md walks
 * through adding a field.
 *
 * Canonical ids (zmq-wire.md §4.1): an IANA element keeps its id, an ntop
 * element has its id of 57472 and up, and our own string keys, reachable
 * only by their labels, sit far above both (0xF0000000 + ID).
 */
#ifndef COMMON_FLOW_FIELDS_H
#define COMMON_FLOW_FIELDS_H

#include <stdint.h>

#define FF_PEN_NTOP 35632u
#define FF_NTOP_BASE 57472u	/* ntop ids below it get it added */
#define FF_PEN_OURS 0xffffffffu /* not a real PEN: our string keys */
#define FF_CANON(pen, id)                                                      \
	((pen) == FF_PEN_OURS ? 0xF0000000u + (uint32_t)(id) : (uint32_t)(id))

/* FF_<NAME>: the canonical id of each row. */
enum ff_id {
#define FF(name, pen, id, label, dec, member, exp)                             \
	FF_##name = FF_CANON(pen, id),
#include "common/flow_fields.def"
#undef FF
};

#endif
