/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report.c: the launch-configuration inventory as data (rows of LCs with
 * the Auto Scaling groups that use them, and the account x region scopes
 * that were read or failed) and its renderings: a table for people, CSV
 * and JSON for tools, and the exact file AWS's Launch Configuration
 * Inventory Script writes, for teams whose tooling already reads that.
 */
#include "launchmigrate/launchmigrate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void lcm_inventory_init(struct lcm_inventory *inv)
{
	memset(inv, 0, sizeof(*inv));
}

void lcm_inventory_release(struct lcm_inventory *inv)
{
	for (size_t i = 0; i < inv->nrows; i++) {
		struct lcm_row *r = &inv->rows[i];
		free(r->account);
		free(r->region);
		cJSON_Delete(r->lc);
		for (size_t j = 0; j < r->nasgs; j++) {
			free(r->asgs[j].name);
			free(r->asgs[j].managed_by);
			free(r->asgs[j].subnets);
		}
		free(r->asgs);
	}
	for (size_t i = 0; i < inv->nscopes; i++) {
		free(inv->scopes[i].account);
		free(inv->scopes[i].region);
		free(inv->scopes[i].error);
	}
	for (size_t i = 0; i < inv->naccounts; i++) {
		free(inv->accounts[i].id);
		aws_credentials_release(&inv->accounts[i].creds);
	}
	free(inv->accounts);
	free(inv->rows);
	free(inv->scopes);
	memset(inv, 0, sizeof(*inv));
}

struct lcm_row *lcm_inventory_add(struct lcm_inventory *inv, const char *account,
				  const char *region, cJSON *lc)
{
	ALLOC_GROW(inv->rows, inv->nrows + 1, inv->alloc_rows);
	struct lcm_row *r = &inv->rows[inv->nrows++];
	memset(r, 0, sizeof(*r));
	r->account = xstrdup(account);
	r->region = xstrdup(region);
	r->lc = lc;
	r->seq = inv->nrows - 1;
	return r;
}

void lcm_row_add_asg(struct lcm_row *row, const char *name, const char *managed_by,
		     const char *subnets)
{
	ALLOC_GROW(row->asgs, row->nasgs + 1, row->alloc_asgs);
	row->asgs[row->nasgs].name = xstrdup(name);
	row->asgs[row->nasgs].managed_by = managed_by ? xstrdup(managed_by) : NULL;
	row->asgs[row->nasgs].subnets = subnets && *subnets ? xstrdup(subnets) : NULL;
	row->nasgs++;
}

const struct aws_credentials *lcm_account_credentials(const struct lcm_inventory *inv,
						      const char *account)
{
	for (size_t i = 0; i < inv->naccounts; i++)
		if (!strcmp(inv->accounts[i].id, account))
			return inv->accounts[i].own_creds ? &inv->accounts[i].creds : NULL;
	return NULL;
}

struct lcm_scope *lcm_inventory_scope(struct lcm_inventory *inv, const char *account,
				      const char *region)
{
	for (size_t i = 0; i < inv->nscopes; i++)
		if (!strcmp(inv->scopes[i].account, account) &&
		    !strcmp(inv->scopes[i].region, region))
			return &inv->scopes[i];
	ALLOC_GROW(inv->scopes, inv->nscopes + 1, inv->alloc_scopes);
	struct lcm_scope *s = &inv->scopes[inv->nscopes++];
	memset(s, 0, sizeof(*s));
	s->account = xstrdup(account);
	s->region = xstrdup(region);
	return s;
}

static const char *lc_str(const cJSON *lc, const char *member)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(lc, member);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static int cmp_rows(const void *a, const void *b)
{
	const struct lcm_row *x = a, *y = b;
	int c = strcmp(x->account, y->account);
	if (!c)
		c = strcmp(x->region, y->region);
	if (!c)
		c = strcmp(lc_str(x->lc, "LaunchConfigurationName"),
			   lc_str(y->lc, "LaunchConfigurationName"));
	return c;
}

static int cmp_scopes(const void *a, const void *b)
{
	const struct lcm_scope *x = a, *y = b;
	int c = strcmp(x->account, y->account);
	return c ? c : strcmp(x->region, y->region);
}

static int cmp_asgs(const void *a, const void *b)
{
	return strcmp(((const struct lcm_asg *)a)->name, ((const struct lcm_asg *)b)->name);
}

void lcm_inventory_sort(struct lcm_inventory *inv)
{
	if (inv->nrows)
		qsort(inv->rows, inv->nrows, sizeof(*inv->rows), cmp_rows);
	if (inv->nscopes)
		qsort(inv->scopes, inv->nscopes, sizeof(*inv->scopes), cmp_scopes);
	for (size_t i = 0; i < inv->nrows; i++)
		if (inv->rows[i].nasgs)
			qsort(inv->rows[i].asgs, inv->rows[i].nasgs, sizeof(struct lcm_asg),
			      cmp_asgs);
}

void lcm_inventory_only_in_use(struct lcm_inventory *inv)
{
	size_t j = 0;
	for (size_t i = 0; i < inv->nrows; i++) {
		struct lcm_row *r = &inv->rows[i];
		if (r->nasgs) {
			inv->rows[j++] = *r;
			continue;
		}
		free(r->account);
		free(r->region);
		cJSON_Delete(r->lc);
		for (size_t k = 0; k < r->nasgs; k++) {
			free(r->asgs[k].name);
			free(r->asgs[k].managed_by);
			free(r->asgs[k].subnets);
		}
		free(r->asgs);
	}
	inv->nrows = j;
}

/* ---- notes ---- */

static int valid_template_name(const char *s)
{
	size_t n = strlen(s);
	if (n < 3 || n > 128)
		return 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      strchr("().-/_", c)))
			return 0;
	}
	return 1;
}

static void note(struct strbuf *out, const char *what)
{
	if (out->len)
		strbuf_addch(out, ',');
	strbuf_adds(out, what);
}

void lcm_row_notes(const struct lcm_row *row, struct strbuf *out)
{
	struct strbuf sb = STRBUF_INIT;
	const cJSON *lc = row->lc;
	const cJSON *pub = cJSON_GetObjectItemCaseSensitive(lc, "AssociatePublicIpAddress");
	const cJSON *sgs = cJSON_GetObjectItemCaseSensitive(lc, "SecurityGroups");
	const cJSON *sg;

	if (*lc_str(lc, "SpotPrice"))
		note(&sb, "spot");
	if (cJSON_IsBool(pub))
		note(&sb, cJSON_IsTrue(pub) ? "public-ip=true" : "public-ip=false");
	if (*lc_str(lc, "ClassicLinkVPCId"))
		note(&sb, "classic-link");
	cJSON_ArrayForEach(sg, sgs) {
		if (cJSON_IsString(sg) && strncmp(sg->valuestring, "sg-", 3)) {
			note(&sb, "sg-names");
			break;
		}
	}
	if (!valid_template_name(lc_str(lc, "LaunchConfigurationName")))
		note(&sb, "rename");
	for (size_t i = 0; i < row->nasgs; i++) {
		if (row->asgs[i].managed_by) {
			note(&sb, "managed");
			break;
		}
	}
	strbuf_add(out, sb.buf, sb.len);
	strbuf_release(&sb);
}

/* ---- CSV (RFC 4180: CRLF, quotes only where needed, "" inside quotes) ---- */

static void csv_field(struct strbuf *out, const char *s, int first)
{
	if (!first)
		strbuf_addch(out, ',');
	if (!strpbrk(s, ",\"\r\n")) {
		strbuf_adds(out, s);
		return;
	}
	strbuf_addch(out, '"');
	for (; *s; s++) {
		if (*s == '"')
			strbuf_addch(out, '"');
		strbuf_addch(out, *s);
	}
	strbuf_addch(out, '"');
}

static void asg_list(const struct lcm_row *r, struct strbuf *names, struct strbuf *managed)
{
	for (size_t i = 0; i < r->nasgs; i++) {
		if (names->len)
			strbuf_addch(names, ';');
		strbuf_adds(names, r->asgs[i].name);
		if (r->asgs[i].managed_by) {
			if (managed->len)
				strbuf_addch(managed, ';');
			strbuf_addf(managed, "%s=%s", r->asgs[i].name, r->asgs[i].managed_by);
		}
	}
}

static void write_csv(const struct lcm_inventory *inv, struct strbuf *out)
{
	static const char *const header[] = {
		"account", "region", "name", "arn", "created", "image_id", "instance_type",
		"auto_scaling_groups", "in_use", "notes", "managed_by",
	};
	for (size_t i = 0; i < ARRAY_SIZE(header); i++)
		csv_field(out, header[i], i == 0);
	strbuf_adds(out, "\r\n");
	for (size_t i = 0; i < inv->nrows; i++) {
		const struct lcm_row *r = &inv->rows[i];
		struct strbuf names = STRBUF_INIT, managed = STRBUF_INIT, notes = STRBUF_INIT;
		asg_list(r, &names, &managed);
		lcm_row_notes(r, &notes);
		csv_field(out, r->account, 1);
		csv_field(out, r->region, 0);
		csv_field(out, lc_str(r->lc, "LaunchConfigurationName"), 0);
		csv_field(out, lc_str(r->lc, "LaunchConfigurationARN"), 0);
		csv_field(out, lc_str(r->lc, "CreatedTime"), 0);
		csv_field(out, lc_str(r->lc, "ImageId"), 0);
		csv_field(out, lc_str(r->lc, "InstanceType"), 0);
		csv_field(out, names.buf, 0);
		csv_field(out, r->nasgs ? "true" : "false", 0);
		csv_field(out, notes.buf, 0);
		csv_field(out, managed.buf, 0);
		strbuf_adds(out, "\r\n");
		strbuf_release(&names);
		strbuf_release(&managed);
		strbuf_release(&notes);
	}
}

/* ---- AWS's inventory script format ---- */

/* Bytes of one UTF-8 sequence at s (1 for invalid), and its code point. */
static size_t utf8_next(const unsigned char *s, unsigned *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	int n = (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 : (s[0] & 0xf8) == 0xf0 ? 4 : 0;
	if (!n) {
		*cp = s[0];
		return 1;
	}
	unsigned v = s[0] & (0x7f >> n);
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*cp = s[0];
			return 1;
		}
		v = (v << 6) | (s[i] & 0x3f);
	}
	*cp = v;
	return (size_t)n;
}

void lcm_py_repr(const char *s, struct strbuf *out)
{
	/* Python picks ' unless the text has ' and no " */
	char q = strchr(s, '\'') && !strchr(s, '"') ? '"' : '\'';
	const unsigned char *p = (const unsigned char *)s;
	strbuf_addch(out, q);
	while (*p) {
		unsigned cp;
		size_t n = utf8_next(p, &cp);
		if (cp == '\\' || cp == (unsigned)q)
			strbuf_addf(out, "\\%c", (char)cp);
		else if (cp == '\n')
			strbuf_adds(out, "\\n");
		else if (cp == '\r')
			strbuf_adds(out, "\\r");
		else if (cp == '\t')
			strbuf_adds(out, "\\t");
		else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0xa0) || cp == 0xad)
			/* what str.isprintable() rejects among the characters names can hold */
			strbuf_addf(out, "\\x%02x", cp);
		else
			strbuf_add(out, p, n);
		p += n;
	}
	strbuf_addch(out, q);
}

static int cmp_seq(const void *a, const void *b)
{
	const struct lcm_row *x = *(const struct lcm_row *const *)a;
	const struct lcm_row *y = *(const struct lcm_row *const *)b;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void write_aws_script(const struct lcm_inventory *inv, struct strbuf *out)
{
	const struct lcm_row **mine = xcalloc(inv->nrows + 1, sizeof(*mine));

	/* the header keeps the script's spelling: scripts downstream match on it */
	strbuf_adds(out, "account_id,region,count,launch_configuratons\r\n");
	for (size_t i = 0; i < inv->nscopes; i++) {
		const struct lcm_scope *s = &inv->scopes[i];
		struct strbuf list = STRBUF_INIT;
		char count[24];
		size_t n = 0;
		/*
		 * The script dies on a region it cannot read and writes nothing;
		 * awsx writes the others and reports the failure on stderr.
		 */
		if (s->error)
			continue;
		for (size_t j = 0; j < inv->nrows; j++)
			if (!strcmp(inv->rows[j].account, s->account) &&
			    !strcmp(inv->rows[j].region, s->region))
				mine[n++] = &inv->rows[j];
		/* names in the order DescribeLaunchConfigurations gave them, as the script lists them */
		qsort(mine, n, sizeof(*mine), cmp_seq);
		strbuf_addch(&list, '[');
		for (size_t j = 0; j < n; j++) {
			if (j)
				strbuf_adds(&list, ", ");
			lcm_py_repr(lc_str(mine[j]->lc, "LaunchConfigurationName"), &list);
		}
		strbuf_addch(&list, ']');
		snprintf(count, sizeof(count), "%zu", n);
		csv_field(out, s->account, 1);
		csv_field(out, s->region, 0);
		csv_field(out, count, 0);
		csv_field(out, list.buf, 0);
		strbuf_adds(out, "\r\n");
		strbuf_release(&list);
	}
	free(mine);
}

/* ---- JSON ---- */

static void write_json(const struct lcm_inventory *inv, struct strbuf *out)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *rows = cJSON_AddArrayToObject(root, "LaunchConfigurations");
	cJSON *scopes = cJSON_AddArrayToObject(root, "Scopes");
	size_t in_use = 0, failed = 0;

	for (size_t i = 0; i < inv->nrows; i++) {
		const struct lcm_row *r = &inv->rows[i];
		struct strbuf notes = STRBUF_INIT;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "Account", r->account);
		cJSON_AddStringToObject(o, "Region", r->region);
		cJSON_AddStringToObject(o, "Name", lc_str(r->lc, "LaunchConfigurationName"));
		cJSON_AddStringToObject(o, "Arn", lc_str(r->lc, "LaunchConfigurationARN"));
		cJSON_AddStringToObject(o, "CreatedTime", lc_str(r->lc, "CreatedTime"));
		cJSON_AddStringToObject(o, "ImageId", lc_str(r->lc, "ImageId"));
		cJSON_AddStringToObject(o, "InstanceType", lc_str(r->lc, "InstanceType"));
		cJSON *asgs = cJSON_AddArrayToObject(o, "AutoScalingGroups");
		for (size_t j = 0; j < r->nasgs; j++) {
			cJSON *a = cJSON_CreateObject();
			cJSON_AddStringToObject(a, "Name", r->asgs[j].name);
			if (r->asgs[j].managed_by)
				cJSON_AddStringToObject(a, "ManagedBy", r->asgs[j].managed_by);
			else
				cJSON_AddNullToObject(a, "ManagedBy");
			cJSON_AddItemToArray(asgs, a);
		}
		cJSON_AddBoolToObject(o, "InUse", r->nasgs > 0);
		in_use += r->nasgs > 0;
		lcm_row_notes(r, &notes);
		cJSON *na = cJSON_AddArrayToObject(o, "Notes");
		for (char *save = NULL, *t = strtok_r(notes.buf, ",", &save); t;
		     t = strtok_r(NULL, ",", &save))
			cJSON_AddItemToArray(na, cJSON_CreateString(t));
		strbuf_release(&notes);
		cJSON_AddItemToObject(o, "LaunchConfiguration", cJSON_Duplicate(r->lc, 1));
		cJSON_AddItemToArray(rows, o);
	}
	for (size_t i = 0; i < inv->nscopes; i++) {
		const struct lcm_scope *s = &inv->scopes[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "Account", s->account);
		cJSON_AddStringToObject(o, "Region", s->region);
		cJSON_AddNumberToObject(o, "Count", s->count);
		if (s->error)
			cJSON_AddStringToObject(o, "Error", s->error);
		else
			cJSON_AddNullToObject(o, "Error");
		failed += s->error != NULL;
		cJSON_AddItemToArray(scopes, o);
	}
	cJSON *sum = cJSON_AddObjectToObject(root, "Summary");
	cJSON_AddNumberToObject(sum, "LaunchConfigurations", (double)inv->nrows);
	cJSON_AddNumberToObject(sum, "InUse", (double)in_use);
	cJSON_AddNumberToObject(sum, "Scopes", (double)inv->nscopes);
	cJSON_AddNumberToObject(sum, "FailedScopes", (double)failed);
	char *s = cJSON_Print(root);
	strbuf_adds(out, s);
	strbuf_addch(out, '\n');
	cJSON_free(s);
	cJSON_Delete(root);
}

/* ---- table ---- */

#define NCOLS 8

static size_t width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

static void pad(struct strbuf *out, const char *s, size_t w, int last)
{
	strbuf_adds(out, s);
	if (!last)
		for (size_t i = width(s); i < w + 2; i++)
			strbuf_addch(out, ' ');
}

static void write_table(const struct lcm_inventory *inv, int color, struct strbuf *out)
{
	static const char *const head[NCOLS] = {
		"ACCOUNT", "REGION", "NAME", "TYPE", "IMAGE", "IN USE", "AUTO SCALING GROUPS", "NOTES",
	};
	size_t w[NCOLS];
	char ***cells = xcalloc(inv->nrows + 1, sizeof(*cells));

	for (int c = 0; c < NCOLS; c++)
		w[c] = width(head[c]);
	for (size_t i = 0; i < inv->nrows; i++) {
		const struct lcm_row *r = &inv->rows[i];
		struct strbuf names = STRBUF_INIT, managed = STRBUF_INIT, notes = STRBUF_INIT;
		asg_list(r, &names, &managed);
		lcm_row_notes(r, &notes);
		cells[i] = xcalloc(NCOLS, sizeof(char *));
		cells[i][0] = xstrdup(r->account);
		cells[i][1] = xstrdup(r->region);
		cells[i][2] = xstrdup(lc_str(r->lc, "LaunchConfigurationName"));
		cells[i][3] = xstrdup(lc_str(r->lc, "InstanceType"));
		cells[i][4] = xstrdup(lc_str(r->lc, "ImageId"));
		cells[i][5] = xstrdup(r->nasgs ? "yes" : "no");
		cells[i][6] = strbuf_detach(&names, NULL);
		cells[i][7] = strbuf_detach(&notes, NULL);
		strbuf_release(&managed);
		for (int c = 0; c < NCOLS; c++)
			if (width(cells[i][c]) > w[c])
				w[c] = width(cells[i][c]);
	}
	if (color)
		strbuf_adds(out, "\033[1m");
	for (int c = 0; c < NCOLS; c++)
		pad(out, head[c], w[c], c == NCOLS - 1);
	if (color)
		strbuf_adds(out, "\033[0m");
	strbuf_addch(out, '\n');
	for (size_t i = 0; i < inv->nrows; i++) {
		for (int c = 0; c < NCOLS; c++) {
			pad(out, cells[i][c], w[c], c == NCOLS - 1);
			free(cells[i][c]);
		}
		free(cells[i]);
		strbuf_addch(out, '\n');
	}
	free(cells);
	for (size_t i = 0; i < inv->nscopes; i++) {
		const struct lcm_scope *s = &inv->scopes[i];
		if (s->error)
			strbuf_addf(out, "%sfailed%s %s %s: %s\n", color ? "\033[31m" : "",
				    color ? "\033[0m" : "", s->account, s->region, s->error);
	}
}

void lcm_inventory_write(const struct lcm_inventory *inv, enum lcm_format format,
			 int color, struct strbuf *out)
{
	switch (format) {
	case LCM_FORMAT_TABLE:
		write_table(inv, color, out);
		break;
	case LCM_FORMAT_CSV:
		write_csv(inv, out);
		break;
	case LCM_FORMAT_JSON:
		write_json(inv, out);
		break;
	case LCM_FORMAT_AWS_SCRIPT:
		write_aws_script(inv, out);
		break;
	}
}
