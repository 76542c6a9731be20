/*
 * collector.h - sources that receive flows rather than packets.
 *
 * Both open on the main thread (bad endpoints stop the start-up with one
 * clear line) and are then used only by their interface's owner thread,
 * which polls the descriptor they expose (struct source .fd) and calls
 * .read with a budget and a record sink (merge/record.h): flow records
 * go to on_flow(), sampled packet headers (sFlow) through the packet
 * decoder to on_packet().
 */
#ifndef COLLECTOR_COLLECTOR_H
#define COLLECTOR_COLLECTOR_H

#include <stddef.h>
#include <stdint.h>

#include "merge/source.h"

struct json_t;
struct prefs;

/* The kinds of collector/ (merge/source.h), for the table of kinds. */
extern const struct source_kind collector_zmq_kind;
extern const struct source_kind collector_udp_kind;

/* "tcp://host:port" (SUB connects), "tcp://ADDR:port" + trailing "c"
 * (collector mode: bind), "ipc://path" (taken whole; "NAME.ipc" + "c":
 * bind), "zmq://" (= tcp).  Opened on the
 * main thread; the socket then belongs to the owner thread.  NULL on
 * error (logged).  See collector/zmq_source.c. */
struct source *collector_zmq_open(const char *spec, const struct prefs *p);

/* "netflow://[addr]:port", "sflow://[addr]:port" (IPv4 or IPv6; any
 * address by default): one UDP socket taking NetFlow v5/v9, IPFIX and
 * sFlow v5.  NULL on error (logged). */
struct source *collector_udp_open(const char *spec, const struct prefs *p);

/*
 * The endpoint syntax shared by -i and -I: copies spec into out (size
 * bytes) without its mode flag and sets *flag to 1 when it had one.  The
 * flag is a 'c' right after a port number ("tcp://ADDR:5556c"); an ipc or
 * inproc path has no port, so there the flag is spelled "NAME.ipcc" and
 * any other path is taken whole ("ipc:///run/flows.ipc" keeps its 'c').
 * What the flag means is the caller's: -i binds, -I connects.  Returns
 * 0, or -1 when out is too small.  Pure; any thread.
 */
int collector_zmq_endpoint_split(const char *spec, char *out, size_t size,
				 int *flag);

/* Adds the ZMQ keys of get/interface/data.lua (zmqRecvStats, zmq.*) to
 * obj when srcs[0..n-1] (an interface's sources) hold a ZMQ source;
 * nothing otherwise.  flow_idle_ms: the interface's flow idle time.
 * Owner thread.  (collector_zmq_kind.describe) */
void collector_zmq_iface_json(struct source *const *srcs, int n,
			      uint64_t flow_idle_ms, struct json_t *obj);

/* The liveness options of every ZMQ socket of a hierarchy (the -i SUB
 * and the -I XPUB, docs/hierarchy.md "Liveness"): TCP keepalive (idle
 * 30 s, 3 probes 3 s apart) on tcp:// endpoints, and ZMTP heartbeats
 * (a PING every 5 s; no traffic for 30 s closes the connection, which
 * libzmq then re-opens by itself; a shorter cut is bridged by TCP and
 * loses nothing).  Any thread, before connect/bind. */
void collector_zmq_liveness_opts(void *sock, const char *endpoint);

/* 1 when spec names a collector endpoint (by its scheme). */
int collector_is_zmq(const char *spec);
int collector_is_udp(const char *spec);

#endif
