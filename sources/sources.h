/*
 * sources.h - the program's table of source kinds (merge/source.h).
 */
#ifndef SOURCES_SOURCES_H
#define SOURCES_SOURCES_H

/* Registers every source kind with merge/, in the order an -i spec is
 * tried: the Historical loader, ZMQ, NetFlow/IPFIX/sFlow, then pcap
 * (a device or a file: it takes anything).  Main thread, before the
 * first iface_new(). */
void sources_register(void);

#endif
