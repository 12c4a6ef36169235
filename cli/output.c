/* SPDX-License-Identifier: Apache-2.0 */
/*
 * output.c: rendering results for people and scripts.  text is aligned
 * "Name: value" lines, json one object (for scripts: stable keys, no
 * colour), table a boxed two-column table like the AWS CLI's.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

void out_record_init(struct out_record *r, const char *title)
{
	memset(r, 0, sizeof(*r));
	r->title = title;
}

void out_record_add(struct out_record *r, const char *name, const char *value)
{
	/* a NULL value is kept as absent: text and table skip it, json prints null */
	struct kv *kv;
	ALLOC_GROW(r->fields.items, r->fields.nr + 1, r->fields.alloc);
	kv = &r->fields.items[r->fields.nr++];
	kv->name = xstrdup(name);
	kv->value = value ? xstrdup(value) : NULL;
}

void out_record_release(struct out_record *r)
{
	kvlist_release(&r->fields);
}

const char *out_bold(const struct cli_ctx *cli)
{
	return cli->color ? "\033[1m" : "";
}

const char *out_dim(const struct cli_ctx *cli)
{
	return cli->color ? "\033[2m" : "";
}

const char *out_reset(const struct cli_ctx *cli)
{
	return cli->color ? "\033[0m" : "";
}

/* Display width of UTF-8 text (code points; good enough for these values). */
static size_t text_width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

static void print_json(const struct out_record *r)
{
	cJSON *o = cJSON_CreateObject();
	for (size_t i = 0; i < r->fields.nr; i++) {
		const struct kv *kv = &r->fields.items[i];
		if (kv->value)
			cJSON_AddStringToObject(o, kv->name, kv->value);
		else
			cJSON_AddNullToObject(o, kv->name);
	}
	char *s = cJSON_Print(o);
	/*
	 * cJSON formats with tabs (string contents never hold a raw tab: they
	 * are escaped), so leading tabs become indentation and the one after a
	 * key's colon a space.
	 */
	int line_start = 1;
	for (char *p = s; *p; p++) {
		if (*p == '\t') {
			fputs(line_start ? "    " : " ", stdout);
			continue;
		}
		line_start = *p == '\n';
		fputc(*p, stdout);
	}
	fputc('\n', stdout);
	cJSON_free(s);
	cJSON_Delete(o);
}

static void rule(size_t a, size_t b)
{
	fputc('+', stdout);
	for (size_t i = 0; i < a + 2; i++)
		fputc('-', stdout);
	fputc('+', stdout);
	for (size_t i = 0; i < b + 2; i++)
		fputc('-', stdout);
	fputs("+\n", stdout);
}

static void print_table(const struct cli_ctx *cli, const struct out_record *r)
{
	size_t kw = 0, vw = 0;
	for (size_t i = 0; i < r->fields.nr; i++) {
		const struct kv *kv = &r->fields.items[i];
		if (!kv->value)
			continue;
		if (text_width(kv->name) > kw)
			kw = text_width(kv->name);
		if (text_width(kv->value) > vw)
			vw = text_width(kv->value);
	}
	if (r->title && text_width(r->title) > kw + vw + 3)
		vw = text_width(r->title) - kw - 3;
	rule(kw, vw);
	if (r->title) {
		size_t total = kw + vw + 3, tw = text_width(r->title);
		size_t left = (total - tw) / 2;
		printf("| %*s%s%s%s%*s |\n", (int)left, "", out_bold(cli), r->title,
		       out_reset(cli), (int)(total - tw - left), "");
		rule(kw, vw);
	}
	for (size_t i = 0; i < r->fields.nr; i++) {
		const struct kv *kv = &r->fields.items[i];
		if (!kv->value)
			continue;
		printf("| %s%*s | %s%*s |\n", kv->name, (int)(kw - text_width(kv->name)), "",
		       kv->value, (int)(vw - text_width(kv->value)), "");
	}
	rule(kw, vw);
}

void out_print_record(struct cli_ctx *cli, const struct out_record *r)
{
	switch (cli->output) {
	case OUTPUT_JSON:
		print_json(r);
		return;
	case OUTPUT_TABLE:
		print_table(cli, r);
		return;
	case OUTPUT_TEXT:
		break;
	}
	size_t kw = 0;
	for (size_t i = 0; i < r->fields.nr; i++)
		if (r->fields.items[i].value && strlen(r->fields.items[i].name) > kw)
			kw = strlen(r->fields.items[i].name);
	for (size_t i = 0; i < r->fields.nr; i++) {
		const struct kv *kv = &r->fields.items[i];
		if (!kv->value)
			continue;
		printf("%s%s:%s%*s %s\n", out_bold(cli), kv->name, out_reset(cli),
		       (int)(kw - strlen(kv->name)), "", kv->value);
	}
}
