/*
 * source.h - the packet sources of capture/ (pcap devices and files).
 * The source interface itself is merge/source.h.
 */
#ifndef CAPTURE_SOURCE_H
#define CAPTURE_SOURCE_H

#include "merge/source.h"

/* The kinds of capture/ (merge/source.h): pcap_live opens any spec (a
 * device name or index, a pcap/pcapng file, a list of files) and is the
 * last entry of the table; a file is of kind pcap_file. */
extern const struct source_kind capture_pcap_live_kind;
extern const struct source_kind capture_pcap_file_kind;

/* What a pcap source is opened with. */
struct capture_opts {
	const char *bpf; /* -B, applied to every handle; may be NULL */
	int hwts_ixia;	 /* --hw-timestamp-mode ixia (capture/hwts.h) */
	int reader;	 /* --workers > 1: a file is read and decoded ahead by a
			  * thread of its own (capture/pcap_source.c) */
};

/*
 * Opens a pcap source: a device name, a device index ("1", as listed by
 * -h), a pcap/pcapng file, or a text file listing pcap files one per line
 * ('#' comments).  Returns NULL with the reason logged.  Main thread.
 */
struct source *capture_pcap_open(const char *spec,
				 const struct capture_opts *o);

#endif
