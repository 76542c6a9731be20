/*
 * zmq_json.c - JSON payloads of the ZMQ collector: flow records (one
 * object, or an array of objects), probe `event` statistics, `template`
 * label definitions, and a validity check for the other topics
 * (shared/docs/zmq-wire.md §3.1, §6).
 *
 * The hot path allocates nothing: jsmn (header-only, strict mode) fills a
 * fixed array of ZMQC_JSON_TOKENS tokens owned by the decoder.  An array
 * of flows is not tokenized whole: a small scanner finds each element's
 * extent (depth and strings aware) and each object is tokenized on its
 * own, so a batch of any length fits the fixed array, and one bad record
 * costs only itself: the valid records around it still count.  Values
 * are handed to zmq_fields.c as (pointer, length) slices of the payload.
 */
#define JSMN_STATIC
#define JSMN_STRICT
#include <jsmn.h>

#include <stdlib.h>
#include <string.h>

#include "collector/zmqc.h"

struct zmqc_json {
	jsmn_parser p;
	jsmntok_t tok[ZMQC_JSON_TOKENS];
};

int
zmqc_json_init(struct zmqc_decoder *d)
{
	d->json = calloc(1, sizeof(*d->json));
	return d->json ? 0 : -1;
}

void
zmqc_json_fini(struct zmqc_decoder *d)
{
	free(d->json);
	d->json = NULL;
}

static int
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t
skip_ws(const char *s, size_t len, size_t i)
{
	while (i < len && is_ws(s[i]))
		i++;
	return i;
}

/*
 * End (exclusive) of the JSON value starting at s[i]: a container up to
 * its matching bracket, a string up to its closing quote, anything else
 * up to the next ',' ']' '}' or blank.  0 when the value is unterminated.
 */
static size_t
value_end(const char *s, size_t len, size_t i)
{
	int depth = 0, in_str = 0;

	if (s[i] != '{' && s[i] != '[' && s[i] != '"') {
		while (i < len && s[i] != ',' && s[i] != ']' && s[i] != '}' &&
		       !is_ws(s[i]))
			i++;
		return i;
	}
	for (; i < len; i++) {
		char c = s[i];

		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"') {
				in_str = 0;
				if (depth == 0)
					return i + 1;
			}
			continue;
		}
		if (c == '"')
			in_str = 1;
		else if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']') {
			if (--depth == 0)
				return i + 1;
			if (depth < 0)
				return 0;
		}
	}
	return 0;
}

/* Index of the token after the subtree rooted at tok[i]. */
static int
tok_skip(const jsmntok_t *t, int n, int i)
{
	int end = t[i].end, j = i + 1;

	while (j < n && t[j].start < end)
		j++;
	return j;
}

/* A JSON value token as a zmqc_val (strings stay slices). */
static void
tok_val(const char *s, const jsmntok_t *t, struct zmqc_val *v)
{
	const char *p = s + t->start;
	size_t n = (size_t)(t->end - t->start), i;
	uint64_t u = 0;
	int neg = 0, digits = 1;

	memset(v, 0, sizeof(*v));
	if (t->type == JSMN_STRING) {
		v->type = ZV_STR;
		v->s = p;
		v->len = n;
		v->escaped = memchr(p, '\\', n) != NULL;
		return;
	}
	if (t->type != JSMN_PRIMITIVE || n == 0 ||
	    (p[0] != '-' && (p[0] < '0' || p[0] > '9'))) {
		v->type = ZV_OTHER; /* true, false, null, object, array */
		v->s = p;	    /* valid JSON text (strict jsmn) */
		v->len = n;
		return;
	}
	i = 0;
	if (p[0] == '-') {
		neg = 1;
		i = 1;
	}
	if (i == n)
		digits = 0;
	for (; i < n && digits; i++) {
		if (p[i] < '0' || p[i] > '9' ||
		    u > (UINT64_MAX - (uint64_t)(p[i] - '0')) / 10)
			digits = 0;
		else
			u = u * 10 + (uint64_t)(p[i] - '0');
	}
	if (digits && !neg) {
		v->type = ZV_UINT;
		v->u = u;
		v->i = u > INT64_MAX ? INT64_MAX : (int64_t)u;
		v->d = (double)u;
	} else if (digits && u <= (uint64_t)INT64_MAX) {
		v->type = ZV_INT;
		v->i = -(int64_t)u;
		v->d = (double)v->i;
	} else {
		char buf[64];
		char *end;

		v->type = ZV_DOUBLE;
		if (n >= sizeof(buf)) {
			v->type = ZV_OTHER;
			return;
		}
		memcpy(buf, p, n);
		buf[n] = '\0';
		v->d = strtod(buf, &end);
		if (*end != '\0')
			v->type = ZV_OTHER;
	}
}

/* Tokenizes one object s[0..n); returns the token count or -1. */
static int
parse_object(struct zmqc_json *j, const char *s, size_t n)
{
	int r;

	jsmn_init(&j->p);
	r = jsmn_parse(&j->p, s, n, j->tok, ZMQC_JSON_TOKENS);
	if (r < 1 || j->tok[0].type != JSMN_OBJECT ||
	    skip_ws(s, n, (size_t)j->tok[0].end) != n)
		return -1;
	return r;
}

/* One flow object, batched: the flows accounted by the flush it made
 * (usually 0), or -1 if invalid JSON. */
static int
json_flow(struct zmqc_decoder *d, struct zmqc_peer *p, const char *s, size_t n,
	  uint64_t now_ms, int *type_errs)
{
	struct zmqc_json *j = d->json;
	struct zmqc_rec *rec;
	int r, i, k, nkeys;

	r = parse_object(j, s, n);
	if (r < 0)
		return -1;
	rec = zmqc_rec_begin(d);
	nkeys = j->tok[0].size;
	for (i = 1, k = 0; k < nkeys && i + 1 < r; k++) {
		const jsmntok_t *kt = &j->tok[i];
		struct zmqc_val v;
		uint32_t pen, id;

		tok_val(s, &j->tok[i + 1], &v);
		if (kt->type == JSMN_STRING) {
			const char *key = s + kt->start;
			size_t kl = (size_t)(kt->end - kt->start);

			if (zmqc_key_resolve(d, key, kl, &pen, &id) != 0)
				zmqc_rec_extra(rec, key, kl, &v);
			else if (zmqc_rec_field(rec, pen, id,
						key[0] >= '0' && key[0] <= '9'
							? NULL
							: key,
						kl, &v) != ZMQC_OK)
				(*type_errs)++;
		}
		i = tok_skip(j->tok, r, i + 1);
	}
	if (k < nkeys)
		return -1; /* a key without a value: {"8":,} */
	return zmqc_rec_end(d, p, now_ms);
}

int
zmqc_json_flows(struct zmqc_decoder *d, struct zmqc_peer *p, const char *s,
		size_t len, uint64_t now_ms)
{
	size_t i = skip_ws(s, len, 0), end;
	int n = 0, bad = 0, type_errs = 0, r;

	if (i < len && s[i] == '{') {
		r = json_flow(d, p, s + i, len - i, now_ms, &type_errs);
		if (r < 0)
			bad++;
		else
			n += r;
	} else if (i < len && s[i] == '[') {
		i = skip_ws(s, len, i + 1);
		while (i < len && s[i] != ']') {
			end = value_end(s, len, i);
			if (end == 0 || end == i) {
				bad++; /* unterminated: the rest is lost */
				break;
			}
			if (s[i] == '{') {
				r = json_flow(d, p, s + i, end - i, now_ms,
					      &type_errs);
				if (r < 0)
					bad++;
				else
					n += r;
			} else {
				bad++; /* an array element that is no object */
			}
			i = skip_ws(s, len, end);
			if (i < len && s[i] == ',')
				i = skip_ws(s, len, i + 1);
			else if (i < len && s[i] != ']') {
				bad++;
				break;
			}
		}
	} else {
		bad++;
	}
	n += zmqc_rec_flush(d, p);
	if (bad)
		zmqc_error_n(d, p, ZMQC_ERR_JSON, (uint64_t)bad,
			     "invalid JSON in a flow message (%d item(s) lost, "
			     "%d flow(s) kept)",
			     bad, n);
	if (type_errs)
		zmqc_error_n(d, p, ZMQC_ERR_VALUE_TYPE, (uint64_t)type_errs,
			     "%d JSON field(s) with a value of the wrong type",
			     type_errs);
	return bad && n == 0 ? -1 : n;
}

/* Token text equals the C string? */
static int
tok_is(const char *s, const jsmntok_t *t, const char *word)
{
	size_t n = strlen(word);

	return t->type == JSMN_STRING && (size_t)(t->end - t->start) == n &&
	       memcmp(s + t->start, word, n) == 0;
}

static uint64_t
tok_u64(const char *s, const jsmntok_t *t)
{
	struct zmqc_val v;

	tok_val(s, t, &v);
	if (v.type == ZV_UINT)
		return v.u;
	if (v.type == ZV_DOUBLE && v.d >= 0 && v.d < 1.8e19)
		return (uint64_t)v.d;
	return 0;
}

static void
tok_str(const char *s, const jsmntok_t *t, char *buf, size_t size)
{
	size_t n = (size_t)(t->end - t->start);

	if (t->type != JSMN_STRING) {
		buf[0] = '\0';
		return;
	}
	if (n >= size)
		n = size - 1;
	memcpy(buf, s + t->start, n);
	buf[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)buf[i] < 0x20 || buf[i] == '"' ||
		    buf[i] == '\\')
			buf[i] = '?';
}

/* One member (key at tok[i], value at tok[i+1]) of the event object,
 * under `parent` ("" at the top). */
/* A peer's node id: printable, no blank, comma or '>' (else ""). */
static void
node_id_text(const char *s, const jsmntok_t *v, char *out, size_t size)
{
	size_t i;

	tok_str(s, v, out, size);
	for (i = 0; out[i] != '\0'; i++)
		if (out[i] <= ' ' || out[i] > '~' || out[i] == ',' ||
		    out[i] == '>' || out[i] == '"' || out[i] == '\\') {
			out[0] = '\0';
			return;
		}
}

static void
event_member(struct zmqc_probe *pr, const char *parent, const char *s,
	     const jsmntok_t *k, const jsmntok_t *v)
{
	if (parent[0] == '\0') {
		if (tok_is(s, k, "time"))
			pr->time = tok_u64(s, v);
		else if (tok_is(s, k, "uptime"))
			pr->uptime = tok_u64(s, v);
		else if (tok_is(s, k, "bytes"))
			pr->bytes = tok_u64(s, v);
		else if (tok_is(s, k, "packets"))
			pr->packets = tok_u64(s, v);
		else if (tok_is(s, k, "packet_drops"))
			pr->packet_drops = tok_u64(s, v);
		else if (tok_is(s, k, "node_id"))
			node_id_text(s, v, pr->node_id, sizeof(pr->node_id));
		else if (tok_is(s, k, "start_ms"))
			pr->start_ms = tok_u64(s, v);
		else if (tok_is(s, k, "export_interval"))
			pr->export_interval = tok_u64(s, v);
	} else if (!strcmp(parent, "probe")) {
		if (tok_is(s, k, "ip"))
			tok_str(s, v, pr->ip, sizeof(pr->ip));
		else if (tok_is(s, k, "version"))
			tok_str(s, v, pr->version, sizeof(pr->version));
	} else if (!strcmp(parent, "iface")) {
		if (tok_is(s, k, "name"))
			tok_str(s, v, pr->iface, sizeof(pr->iface));
		else if (tok_is(s, k, "ip") && pr->ip[0] == '\0')
			tok_str(s, v, pr->ip, sizeof(pr->ip));
	} else if (!strcmp(parent, "timeout")) {
		if (tok_is(s, k, "lifetime"))
			pr->timeout_lifetime = (uint32_t)tok_u64(s, v);
		else if (tok_is(s, k, "idle"))
			pr->timeout_idle = (uint32_t)tok_u64(s, v);
		else if (tok_is(s, k, "collected_lifetime"))
			pr->timeout_collected_lifetime =
				(uint32_t)tok_u64(s, v);
	} else if (!strcmp(parent, "drops")) {
		if (tok_is(s, k, "export_queue_full") ||
		    tok_is(s, k, "export_queue_too_long"))
			pr->export_queue_full = tok_u64(s, v);
		else if (tok_is(s, k, "too_many_flows"))
			pr->too_many_flows = tok_u64(s, v);
		else if (tok_is(s, k, "flow_collection_drops"))
			pr->flow_collection_drops = tok_u64(s, v);
		else if (tok_is(s, k, "flow_collection_udp_socket_drops"))
			pr->flow_collection_udp_socket_drops = tok_u64(s, v);
	} else if (!strcmp(parent, "export")) {
		pr->has_export = 1;
		if (tok_is(s, k, "flows"))
			pr->exp_flows = tok_u64(s, v);
		else if (tok_is(s, k, "bytes"))
			pr->exp_bytes = tok_u64(s, v);
		else if (tok_is(s, k, "packets"))
			pr->exp_pkts = tok_u64(s, v);
	} else if (!strcmp(parent, "zmq")) {
		if (tok_is(s, k, "num_flow_exports"))
			pr->num_flow_exports = tok_u64(s, v);
		else if (tok_is(s, k, "num_zmq_exporters") ||
			 tok_is(s, k, "num_exporters"))
			pr->num_exporters = tok_u64(s, v);
	}
}

int
zmqc_json_event(struct zmqc_decoder *d, struct zmqc_peer *p, const char *s,
		size_t len)
{
	struct zmqc_json *j = d->json;
	struct zmqc_probe pr;
	size_t start = skip_ws(s, len, 0);
	int r, i, k;

	r = parse_object(j, s + start, len - start);
	if (r < 0) {
		zmqc_error(d, p, ZMQC_ERR_JSON, "invalid JSON in an event");
		return -1;
	}
	s += start;
	pr = p->probe;
	for (i = 1, k = 0; k < j->tok[0].size && i + 1 < r; k++) {
		const jsmntok_t *kt = &j->tok[i], *vt = &j->tok[i + 1];

		if (vt->type == JSMN_OBJECT && kt->type == JSMN_STRING) {
			char parent[16];
			int m, c = i + 2;

			tok_str(s, kt, parent, sizeof(parent));
			for (m = 0; m < vt->size && c + 1 < r; m++) {
				event_member(&pr, parent, s, &j->tok[c],
					     &j->tok[c + 1]);
				c = tok_skip(j->tok, r, c + 1);
			}
		} else {
			event_member(&pr, "", s, kt, vt);
		}
		i = tok_skip(j->tok, r, i + 1);
	}
	if (pr.first_time == 0 || (pr.time && pr.time < pr.first_time))
		pr.first_time = pr.time; /* first event, or probe restart */
	if (pr.uptime == p->probe.uptime && pr.time >= pr.first_time)
		pr.uptime = pr.time - pr.first_time;
	p->probe = pr;
	return 0;
}

int
zmqc_json_counter(struct zmqc_decoder *d, struct zmqc_peer *p, const char *s,
		  size_t len, uint64_t now_ms)
{
	struct zmqc_json *j = d->json;
	struct zmqc_ifcounters c;
	size_t start = skip_ws(s, len, 0);
	int r, i, k, type_errs = 0;

	r = parse_object(j, s + start, len - start);
	if (r < 0) {
		zmqc_error(d, p, ZMQC_ERR_JSON, "invalid JSON in a counter");
		return -1;
	}
	s += start;
	memset(&c, 0, sizeof(c));
	for (i = 1, k = 0; k < j->tok[0].size && i + 1 < r; k++) {
		const jsmntok_t *kt = &j->tok[i];
		int id = kt->type == JSMN_STRING
				 ? zmqc_counter_key(
					   s + kt->start,
					   (size_t)(kt->end - kt->start))
				 : -1;

		/* other members (the agent's "...CONTAINER" objects) skipped */
		if (id >= 0) {
			struct zmqc_val v;

			tok_val(s, &j->tok[i + 1], &v);
			if (zmqc_counter_field(&c, id, &v) != ZMQC_OK)
				type_errs++;
		}
		i = tok_skip(j->tok, r, i + 1);
	}
	if (type_errs)
		zmqc_error_n(
			d, p, ZMQC_ERR_VALUE_TYPE, (uint64_t)type_errs,
			"%d counter field(s) with a value of the wrong type",
			type_errs);
	return zmqc_counter_store(d, p, &c, now_ms);
}

int
zmqc_json_template(struct zmqc_decoder *d, struct zmqc_peer *p, const char *s,
		   size_t len)
{
	size_t i = skip_ws(s, len, 0), end;
	int learned = 0;

	if (i >= len || s[i] != '[') {
		zmqc_error(d, p, ZMQC_ERR_JSON,
			   "a template is not a JSON array");
		return -1;
	}
	i = skip_ws(s, len, i + 1);
	while (i < len && s[i] != ']') {
		struct zmqc_json *j = d->json;
		char name[64] = "";
		uint64_t pen = 0, field = 0;
		int r, t, k, have_field = 0;

		end = value_end(s, len, i);
		if (end == 0 || end == i ||
		    (r = parse_object(j, s + i, end - i)) < 0) {
			zmqc_error(d, p, ZMQC_ERR_JSON,
				   "invalid JSON in a template");
			return -1;
		}
		for (t = 1, k = 0; k < j->tok[0].size && t + 1 < r; k++) {
			const char *o = s + i;

			if (tok_is(o, &j->tok[t], "PEN"))
				pen = tok_u64(o, &j->tok[t + 1]);
			else if (tok_is(o, &j->tok[t], "field")) {
				field = tok_u64(o, &j->tok[t + 1]);
				have_field = 1;
			} else if (tok_is(o, &j->tok[t], "name"))
				tok_str(o, &j->tok[t + 1], name, sizeof(name));
			t = tok_skip(j->tok, r, t + 1);
		}
		if (name[0] && have_field && pen <= UINT32_MAX &&
		    field <= UINT32_MAX) {
			int slot;

			for (slot = 0; slot < d->n_tmpl; slot++)
				if (!strcmp(d->tmpl[slot].name, name))
					break;
			if (slot == d->n_tmpl && d->n_tmpl < ZMQC_MAX_TEMPLATES)
				d->n_tmpl++;
			if (slot < d->n_tmpl) {
				memcpy(d->tmpl[slot].name, name, sizeof(name));
				d->tmpl[slot].pen = (uint32_t)pen;
				d->tmpl[slot].id = (uint32_t)field;
				learned++;
			}
		}
		i = skip_ws(s, len, end);
		if (i < len && s[i] == ',')
			i = skip_ws(s, len, i + 1);
	}
	return learned;
}

int
zmqc_json_check(struct zmqc_decoder *d, struct zmqc_peer *p, const char *s,
		size_t len)
{
	jsmn_parser jp;
	int r;

	/* tokens = NULL: jsmn only counts, so any size validates */
	jsmn_init(&jp);
	r = jsmn_parse(&jp, s, len, NULL, 0);
	if (r < 1) {
		zmqc_error(d, p, ZMQC_ERR_JSON, "invalid JSON in a %s message",
			   "non-flow");
		return -1;
	}
	return 0;
}
