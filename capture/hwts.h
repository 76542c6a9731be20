/*
 * hwts.h - hardware timestamps carried in a frame (--hw-timestamp-mode).
 *
 * ixia: IXIA network visibility devices append a 15-byte trailer to each
 * frame they timestamp, after the frame's payload (and before the
 * Ethernet FCS, when the capture keeps it):
 *
 *   offset  size  field
 *        0     1  time source (local, NTP, GPS, PTP, holdover)
 *        1     1  length of the time field: 8
 *        2     4  seconds since 1970 (big endian)
 *        6     4  nanoseconds (big endian, < 10^9)
 *       10     1  length of the fields before it: 10
 *       11     2  signature AF 12
 *       13     2  Internet checksum (RFC 1071) of bytes 0..12
 *
 * optionally followed by the 4-byte Ethernet FCS (19 bytes stripped).
 * hwts_ixia() finds the trailer at the end of the captured bytes, checks
 * every fixed field and the checksum, and returns its time and how many
 * bytes to remove from the frame.  Pure function: any thread.
 */
#ifndef CAPTURE_HWTS_H
#define CAPTURE_HWTS_H

#include <stdint.h>

#define HWTS_IXIA_LEN 15
#define HWTS_IXIA_FCS_LEN 19

enum hwts_result {
	HWTS_OK = 0,
	HWTS_SHORT,   /* the frame's end was not captured (caplen < len),
		       * the record's lengths disagree (caplen > len), or
		       * the frame is not longer than a trailer */
	HWTS_INVALID, /* no well-formed trailer at the end of the frame */
};

/* Per-source counters (get/interface/sources.lua "hw_timestamps"). */
struct hwts_stats {
	uint64_t stamped; /* frames whose trailer time was used */
	uint64_t short_frames;
	uint64_t invalid;
};

/*
 * Looks for an IXIA trailer in data[0..caplen) of a frame of wire length
 * len.  HWTS_OK: *ts_us is the trailer's time (microseconds since 1970,
 * UTC) and *strip the bytes to remove from caplen and len (15, or 19
 * with the FCS).  Otherwise nothing is written.  Never reads outside
 * data[0..caplen).
 */
enum hwts_result hwts_ixia(const uint8_t *data, uint32_t caplen, uint32_t len,
			   uint64_t *ts_us, uint32_t *strip);

#endif
