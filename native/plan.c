/* Decodes and checks the launch plan before clone, so the container side
 * never meets a malformed record. */
#include "plan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define TAG_SIGNATURE(name, value, sig) [value] = sig,
static const char *const tag_signatures[TAG_COUNT_] = { PLAN_TAGS(TAG_SIGNATURE) };
#undef TAG_SIGNATURE

struct reader {
	char *at;
	char *end;
};

static int read_u32(struct reader *r, uint32_t *out)
{
	if (r->end - r->at < 4)
		return -1;
	*out = (uint32_t)(unsigned char)r->at[0] | (uint32_t)(unsigned char)r->at[1] << 8 |
	       (uint32_t)(unsigned char)r->at[2] << 16 | (uint32_t)(unsigned char)r->at[3] << 24;
	r->at += 4;
	return 0;
}

static int read_u64(struct reader *r, uint64_t *out)
{
	uint32_t lo, hi;

	if (read_u32(r, &lo) < 0 || read_u32(r, &hi) < 0)
		return -1;
	*out = (uint64_t)hi << 32 | lo;
	return 0;
}

static int read_field(struct reader *r, struct plan_field *field)
{
	if (r->at >= r->end)
		return -1;
	field->kind = *r->at++;
	field->str = NULL;
	field->num = 0;
	if (field->kind == 'u')
		return read_u64(r, &field->num);
	if (field->kind != 's' && field->kind != 'b')
		return -1;
	if (read_u32(r, &field->len) < 0 || (size_t)(r->end - r->at) < (size_t)field->len + 1)
		return -1;
	if (r->at[field->len] != '\0')
		return -1;
	if (field->kind == 's' && memchr(r->at, '\0', field->len) != NULL)
		return -1;
	field->str = r->at;
	r->at += field->len + 1;
	return 0;
}

/* A signature like "sssusuuu" or "ss*": the letter before '*' repeats. */
static int check_signature(const struct plan_record *rec)
{
	const char *sig;
	size_t fixed;
	char repeat = 0;

	if (rec->tag == 0 || rec->tag >= TAG_COUNT_ || (sig = tag_signatures[rec->tag]) == NULL)
		return -1;
	fixed = strlen(sig);
	if (fixed > 0 && sig[fixed - 1] == '*') {
		repeat = sig[fixed - 2];
		fixed -= 2;
	}
	if (rec->nfields < fixed || (repeat == 0 && rec->nfields != fixed))
		return -1;
	for (uint32_t i = 0; i < rec->nfields; i++) {
		char want = i < fixed ? sig[i] : repeat;
		if (rec->fields[i].kind != want)
			return -1;
	}
	return 0;
}

int plan_decode(struct plan *plan, char *buffer, size_t size, uint32_t *bad_index)
{
	struct reader r = { buffer, buffer + size };
	uint32_t version, count, nfields;
	size_t total_fields = 0;

	*bad_index = 0;
	memset(plan, 0, sizeof(*plan));
	if (size < 16 || memcmp(buffer, "ISOLAPLN", 8) != 0)
		goto invalid;
	r.at += 8;
	if (read_u32(&r, &version) < 0 || version != PLAN_VERSION || read_u32(&r, &count) < 0)
		goto invalid;
	/* Every field takes at least 9 bytes, so size bounds the arrays. */
	plan->records = calloc(count ? count : 1, sizeof(*plan->records));
	plan->fields = calloc(size / 9 + 1, sizeof(*plan->fields));
	if (plan->records == NULL || plan->fields == NULL || count > size / 8)
		goto invalid;
	for (uint32_t i = 0; i < count; i++) {
		struct plan_record *rec = &plan->records[i];
		struct plan_field *fields = &plan->fields[total_fields];

		*bad_index = i;
		if (read_u32(&r, &rec->tag) < 0 || read_u32(&r, &nfields) < 0 || nfields > size / 9 + 1 - total_fields)
			goto invalid;
		for (uint32_t f = 0; f < nfields; f++)
			if (read_field(&r, &fields[f]) < 0)
				goto invalid;
		rec->index = i;
		rec->nfields = nfields;
		rec->fields = fields;
		total_fields += nfields;
		if (check_signature(rec) < 0)
			goto invalid;
	}
	if (r.at != r.end)
		goto invalid;
	plan->buffer = buffer;
	plan->nrecords = count;
	return 0;
invalid:
	free(plan->records);
	free(plan->fields);
	memset(plan, 0, sizeof(*plan));
	errno = EINVAL;
	return -1;
}

const struct plan_record *plan_next(const struct plan *plan, const struct plan_record *after, uint32_t tag)
{
	size_t start = after == NULL ? 0 : (size_t)(after - plan->records) + 1;

	for (size_t i = start; i < plan->nrecords; i++)
		if (plan->records[i].tag == tag)
			return &plan->records[i];
	return NULL;
}

const struct plan_record *plan_find(const struct plan *plan, uint32_t tag)
{
	return plan_next(plan, NULL, tag);
}
