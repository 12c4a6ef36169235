/* SPDX-License-Identifier: Apache-2.0 */
/*
 * watch.c: `awsx sync --watch`.  After a first full sync, libuv watches
 * every folder of every CodeUri / ContentUri tree (inotify is not
 * recursive: one watch per folder, added as folders appear), the folders
 * of definition files and templates.  An event marks its resource (or the
 * template) pending; a resource syncs once it has been quiet for the quiet
 * period.  Syncs run on this thread, so events that arrive during one wait
 * in the kernel and make exactly one follow-up; nothing loops because our
 * own output (.awsx/) and other tools' (.aws-sam/, .git/, node_modules/)
 * never count.  A template edit is parsed first: an invalid template is
 * reported and the watch goes on; a valid one runs a full sync (which
 * skips CloudFormation when only code changed) and rebuilds the watch set.
 * Network errors and throttling are retried with backoff, never fatal.
 */
#include "sync/watch.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <uv.h>

#include "aws/http.h"

#define WATCH_TICK_MS	   250	 /* how often Ctrl-C is looked for */
#define WATCH_RETRY_MIN_MS 1000
#define WATCH_RETRY_MAX_MS 30000
#define WATCH_MAX_DIRS	   50000 /* folders watched at most (inotify has limits too) */

struct target {
	char *root;	  /* a folder watched recursively, or a file's folder */
	char *file;	  /* a single file's name in root, or NULL for the tree */
	char *id;	  /* the resource; NULL for a template */
	struct sync_ignore ig;
};

struct dir {
	uv_fs_event_t h;
	struct watch *w;
	size_t target;
	char *path;
	char *rel; /* under the target's root, "" for the root */
};

struct pending {
	char *id; /* NULL: the template */
	long long last_ms, not_before_ms;
	unsigned retry_ms;
};

struct watch {
	uv_loop_t loop;
	uv_timer_t timer, tick;
	struct aws_ctx *ctx;
	const struct sync_watch_options *o;
	struct target *t;
	size_t nt;
	struct dir **d;
	size_t nd, ad;
	struct pending *p;
	size_t np, ap;
	int stopping;
	int rc;
};

static long long now_ms(void)
{
	return now_ms_monotonic();
}

static void stamp(FILE *f)
{
	time_t t = time(NULL);
	struct tm tm;
	char buf[16];
	localtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%H:%M:%S", &tm);
	fprintf(f, "[%s] ", buf);
}

/* ---- pending syncs ---- */

static void schedule(struct watch *w);

static void mark(struct watch *w, const char *id, long long not_before)
{
	long long now = now_ms();
	for (size_t i = 0; i < w->np; i++) {
		struct pending *p = &w->p[i];
		if ((!id && !p->id) || (id && p->id && !strcmp(id, p->id))) {
			p->last_ms = now;
			if (not_before > p->not_before_ms)
				p->not_before_ms = not_before;
			schedule(w);
			return;
		}
	}
	ALLOC_GROW(w->p, w->np + 1, w->ap);
	struct pending *p = &w->p[w->np++];
	memset(p, 0, sizeof(*p));
	p->id = id ? xstrdup(id) : NULL;
	p->last_ms = now;
	p->not_before_ms = not_before;
	schedule(w);
}

/* ---- the watch set ---- */

static void on_event(uv_fs_event_t *h, const char *name, int events, int status);

static void close_dir_cb(uv_handle_t *h)
{
	struct dir *d = h->data;
	free(d->path);
	free(d->rel);
	free(d);
}

static int add_dir(struct watch *w, size_t target, const char *path, const char *rel)
{
	for (size_t i = 0; i < w->nd; i++)
		if (!strcmp(w->d[i]->path, path) && w->d[i]->target == target)
			return 0;
	if (w->nd >= WATCH_MAX_DIRS)
		return -1;
	struct dir *d = xcalloc(1, sizeof(*d));
	d->w = w;
	d->target = target;
	d->path = xstrdup(path);
	d->rel = xstrdup(rel);
	uv_fs_event_init(&w->loop, &d->h);
	d->h.data = d;
	if (uv_fs_event_start(&d->h, on_event, path, 0)) {
		uv_close((uv_handle_t *)&d->h, close_dir_cb);
		return -1;
	}
	ALLOC_GROW(w->d, w->nd + 1, w->ad);
	w->d[w->nd++] = d;
	return 0;
}

/* Our own output and other tools' never trigger a sync. */
static int always_excluded(const char *rel)
{
	static const char *const names[] = {".awsx", ".aws-sam", ".git", "node_modules"};
	const char *p = rel;
	while (*p) {
		size_t n = strcspn(p, "/");
		for (size_t i = 0; i < ARRAY_SIZE(names); i++)
			if (strlen(names[i]) == n && !strncmp(p, names[i], n))
				return 1;
		p += n + (p[n] == '/');
	}
	return 0;
}

/* Watch path (rel under the target's root) and every folder below it. */
static void add_tree(struct watch *w, size_t target, const char *path, const char *rel, int depth)
{
	uv_fs_t req;
	uv_dirent_t ent;

	if (depth > 64 || add_dir(w, target, path, rel))
		return;
	if (uv_fs_scandir(NULL, &req, path, 0, NULL) < 0) {
		uv_fs_req_cleanup(&req);
		return;
	}
	while (uv_fs_scandir_next(&req, &ent) != UV_EOF) {
		char *child = xstrfmt("%s/%s", path, ent.name);
		char *crel = *rel ? xstrfmt("%s/%s", rel, ent.name) : xstrdup(ent.name);
		struct stat st;
		/* symlinked folders are followed, as the build follows them */
		if (!stat(child, &st) && S_ISDIR(st.st_mode) && !always_excluded(crel) &&
		    !sync_ignore_match(&w->t[target].ig, crel, 1))
			add_tree(w, target, child, crel, depth + 1);
		free(child);
		free(crel);
	}
	uv_fs_req_cleanup(&req);
}

/* A folder that went away: its watches (and those below it) go too, so a new one can come. */
static void drop_dirs_under(struct watch *w, size_t target, const char *path)
{
	size_t n = strlen(path), out = 0;
	for (size_t i = 0; i < w->nd; i++) {
		struct dir *d = w->d[i];
		if (d->target == target && !strncmp(d->path, path, n) &&
		    (d->path[n] == '\0' || d->path[n] == '/'))
			uv_close((uv_handle_t *)&d->h, close_dir_cb);
		else
			w->d[out++] = d;
	}
	w->nd = out;
}

static void on_event(uv_fs_event_t *h, const char *name, int events, int status)
{
	struct dir *d = h->data;
	struct watch *w = d->w;
	const struct target *t = &w->t[d->target];
	(void)events;
	if (status < 0 || !name)
		return;
	if (t->file) {
		if (!strcmp(name, t->file))
			mark(w, t->id, 0);
		return;
	}
	char *rel = *d->rel ? xstrfmt("%s/%s", d->rel, name) : xstrdup(name);
	char *path = xstrfmt("%s/%s", d->path, name);
	struct stat st;
	int gone = stat(path, &st) != 0, is_dir = !gone && S_ISDIR(st.st_mode);
	size_t target = d->target;
	if (gone)
		drop_dirs_under(w, target, path); /* (d itself stays: it is the parent) */
	if (!always_excluded(rel) && !sync_ignore_match_path(&w->t[target].ig, rel, is_dir)) {
		if (is_dir)
			add_tree(w, target, path, rel, 0); /* a new folder: watch it too */
		mark(w, t->id, 0);
	}
	free(rel);
	free(path);
}

static void clear_watch_set(struct watch *w)
{
	for (size_t i = 0; i < w->nd; i++)
		uv_close((uv_handle_t *)&w->d[i]->h, close_dir_cb);
	w->nd = 0;
	for (size_t i = 0; i < w->nt; i++) {
		free(w->t[i].root);
		free(w->t[i].file);
		free(w->t[i].id);
		sync_ignore_release(&w->t[i].ig);
	}
	free(w->t);
	w->t = NULL;
	w->nt = 0;
}

static size_t add_target(struct watch *w, const char *root, const char *file, const char *id)
{
	w->t = xrealloc(w->t, (w->nt + 1) * sizeof(*w->t));
	struct target *t = &w->t[w->nt];
	memset(t, 0, sizeof(*t));
	t->root = xstrdup(root);
	t->file = file ? xstrdup(file) : NULL;
	t->id = id ? xstrdup(id) : NULL;
	return w->nt++;
}

/* A file target: its folder, filtered by name. */
static void watch_file(struct watch *w, const char *path, const char *id)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
	size_t t = add_target(w, *dir ? dir : "/", slash ? slash + 1 : path, id);
	add_dir(w, t, w->t[t].root, "");
	free(dir);
}

static int build_watch_set(struct watch *w, const struct tmpl_model *m, struct aws_error *err)
{
	clear_watch_set(w);
	for (size_t i = 0; i < m->docs_nr; i++)
		watch_file(w, tmpl_doc_path(m->docs[i]), NULL);
	for (size_t i = 0; i < m->nr; i++) {
		const struct tmpl_resource *r = &m->resources[i];
		struct stat st;
		if (!r->code_syncable || !r->source_path || r->kind == TMPL_STACK)
			continue;
		if (stat(r->source_path, &st) || !S_ISDIR(st.st_mode)) {
			watch_file(w, r->source_path, r->id);
			continue;
		}
		size_t t = add_target(w, r->source_path, NULL, r->id);
		struct sync_ignore *ig = &w->t[t].ig;
		const char *runtime = r->kind == TMPL_FUNCTION ? r->runtime.value : r->build_method.value;
		sync_ignore_add_defaults(ig, runtime);
		char *ignore = xstrfmt("%s/%s", r->source_path, SYNC_IGNORE_FILE);
		struct aws_error ignored;
		sync_ignore_add_file(ig, ignore, &ignored); /* a bad file is the build's to report */
		free(ignore);
		for (size_t k = 0; k < w->o->nexcludes; k++) {
			const char *e = w->o->excludes[k], *eq = strchr(e, '=');
			if (eq && (size_t)(eq - e) == strlen(r->id) && !strncmp(e, r->id, (size_t)(eq - e)) &&
			    sync_ignore_add_line(ig, eq + 1, "--watch-exclude", 0, err))
				return -AWSX_EUSAGE;
		}
		add_tree(w, t, r->source_path, "", 0);
	}
	return 0;
}

/* ---- running syncs ---- */

static int retryable(const struct aws_error *err)
{
	return err->kind == AWSX_ENET ||
	       (err->kind == AWSX_ESERVICE &&
		(strstr(err->code, "Throttl") || strstr(err->code, "TooManyRequests") ||
		 err->http_status >= 500));
}

static void retry(struct watch *w, struct pending *p)
{
	p->retry_ms = p->retry_ms ? p->retry_ms * 2 : WATCH_RETRY_MIN_MS;
	if (p->retry_ms > WATCH_RETRY_MAX_MS)
		p->retry_ms = WATCH_RETRY_MAX_MS;
	stamp(w->o->out);
	fprintf(w->o->out, "retrying in %.0f s\n", p->retry_ms / 1000.0);
	fflush(w->o->out);
}

/* A template changed: parse it; a valid one gets a full sync and a new watch set. */
static void run_template(struct watch *w, struct pending *p)
{
	struct tmpl_options to = {.region = aws_ctx_region(w->ctx), .stack_name = w->o->full.stack_name,
				  .parameter_overrides = w->o->full.parameter_overrides};
	struct tmpl_model *m = NULL;
	struct aws_error err;
	aws_error_clear(&err);
	if (tmpl_model_load(w->o->full.template_path, &to, &m, &err)) {
		w->o->on_error(&err, w->o->ud);
		stamp(w->o->out);
		fprintf(w->o->out, "the template is not valid: still watching, fix it to sync\n");
		fflush(w->o->out);
		return;
	}
	stamp(w->o->out);
	fprintf(w->o->out, "template changed: full sync\n");
	fflush(w->o->out);
	struct sync_full_report rep;
	int rc = sync_full_run(w->ctx, &w->o->full, &rep, &err);
	w->o->on_full(&rep, rc, &err, w->o->ud);
	sync_full_report_release(&rep);
	if (rc == -AWSX_EINTR)
		w->stopping = 1;
	else if (rc && retryable(&err))
		retry(w, p);
	else
		p->retry_ms = 0;
	if (!p->retry_ms && build_watch_set(w, m, &err))
		w->o->on_error(&err, w->o->ud);
	tmpl_model_free(m);
	if (p->retry_ms)
		p->not_before_ms = now_ms() + p->retry_ms;
}

static void run_code(struct watch *w, struct pending **due, size_t n)
{
	const char **ids = xcalloc(n + 1, sizeof(*ids));
	struct sync_code_report rep;
	struct aws_error err;
	aws_error_clear(&err);
	for (size_t i = 0; i < n; i++)
		ids[i] = due[i]->id;
	stamp(w->o->out);
	fprintf(w->o->out, "change in %s%s: syncing\n", ids[0], n > 1 ? " and others" : "");
	fflush(w->o->out);
	struct sync_code_options co = {.template_path = w->o->full.template_path,
				       .stack_name = w->o->full.stack_name,
				       .parameter_overrides = w->o->full.parameter_overrides,
				       .resource_ids = ids,
				       .nids = n,
				       .s3_bucket = w->o->full.s3_bucket,
				       .dependency_layer = w->o->full.dependency_layer,
				       .progress = w->o->full.progress};
	int rc = sync_code_run(w->ctx, &co, &rep, &err);
	w->o->on_code(&rep, rc, &err, w->o->ud);
	int again = rc && rc != -AWSX_EINTR && retryable(&err);
	for (size_t i = 0; i < rep.nr && rc && !again; i++)
		if (rep.results[i].outcome == SYNC_FAILED && retryable(&rep.results[i].err))
			again = 1;
	for (size_t i = 0; i < n; i++) {
		if (again) {
			retry(w, due[i]);
			due[i]->not_before_ms = now_ms() + due[i]->retry_ms;
		} else {
			due[i]->retry_ms = 0;
		}
	}
	if (rc == -AWSX_EINTR)
		w->stopping = 1;
	sync_code_report_release(&rep);
	free(ids);
}

static void drop_pending(struct watch *w, struct pending *p)
{
	size_t i = (size_t)(p - w->p);
	free(p->id);
	memmove(&w->p[i], &w->p[i + 1], (w->np - i - 1) * sizeof(*w->p));
	w->np--;
}

static void on_timer(uv_timer_t *h)
{
	struct watch *w = h->data;
	long long now = now_ms();
	struct pending **due = xcalloc(w->np + 1, sizeof(*due));
	size_t n = 0;

	/* the template first: it may change what the resources are */
	for (size_t i = 0; i < w->np; i++) {
		struct pending *p = &w->p[i];
		if (!p->id && now - p->last_ms >= w->o->quiet_ms && now >= p->not_before_ms) {
			long long started = now_ms();
			run_template(w, p);
			if (!p->retry_ms && p->last_ms < started)
				drop_pending(w, p);
			free(due);
			schedule(w);
			return;
		}
	}
	for (size_t i = 0; i < w->np; i++) {
		struct pending *p = &w->p[i];
		if (p->id && now - p->last_ms >= w->o->quiet_ms && now >= p->not_before_ms)
			due[n++] = p;
	}
	if (n && !w->stopping) {
		long long started = now_ms();
		run_code(w, due, n);
		/* done unless retrying or edited again while syncing (then one follow-up) */
		for (size_t i = w->np; i-- > 0;) {
			struct pending *p = &w->p[i];
			int was_due = 0;
			for (size_t k = 0; k < n; k++)
				was_due |= due[k] == p;
			if (was_due && !p->retry_ms && p->last_ms < started)
				drop_pending(w, p);
		}
	}
	free(due);
	if (w->stopping)
		uv_stop(&w->loop);
	else
		schedule(w);
}

/* Arm the timer for the earliest moment a pending sync may run. */
static void schedule(struct watch *w)
{
	long long now = now_ms(), at = -1;
	for (size_t i = 0; i < w->np; i++) {
		long long t = w->p[i].last_ms + w->o->quiet_ms;
		if (w->p[i].not_before_ms > t)
			t = w->p[i].not_before_ms;
		if (at < 0 || t < at)
			at = t;
	}
	if (at < 0) {
		uv_timer_stop(&w->timer);
		return;
	}
	uv_timer_start(&w->timer, on_timer, (uint64_t)(at > now ? at - now : 0), 0);
}

static void on_tick(uv_timer_t *h)
{
	struct watch *w = h->data;
	if (http_interrupted || aws_interrupted()) {
		w->stopping = 1;
		uv_stop(&w->loop);
	}
}

static void close_any(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (uv_is_closing(h))
		return;
	if (h->type == UV_FS_EVENT)
		uv_close(h, close_dir_cb);
	else
		uv_close(h, NULL);
}

int sync_watch(struct aws_ctx *ctx, const struct sync_watch_options *o, struct aws_error *err)
{
	struct watch w;
	struct tmpl_options to = {.region = aws_ctx_region(ctx), .stack_name = o->full.stack_name,
				  .parameter_overrides = o->full.parameter_overrides};
	struct tmpl_model *m = NULL;
	int rc;

	memset(&w, 0, sizeof(w));
	w.ctx = ctx;
	w.o = o;
	if ((rc = tmpl_model_load(o->full.template_path, &to, &m, err)))
		return rc;
	if (uv_loop_init(&w.loop)) {
		tmpl_model_free(m);
		return aws_error_set(err, AWSX_EFAIL, "cannot start the file watcher");
	}
	uv_timer_init(&w.loop, &w.timer);
	uv_timer_init(&w.loop, &w.tick);
	w.timer.data = w.tick.data = &w;
	rc = build_watch_set(&w, m, err);
	tmpl_model_free(m);
	if (!rc) {
		stamp(o->out);
		fprintf(o->out, "watching %zu folder%s for changes (Ctrl-C to stop)\n", w.nd,
			w.nd == 1 ? "" : "s");
		fflush(o->out);
		uv_timer_start(&w.tick, on_tick, WATCH_TICK_MS, WATCH_TICK_MS);
		uv_run(&w.loop, UV_RUN_DEFAULT);
		rc = w.stopping ? -AWSX_EINTR : 0;
		if (rc)
			aws_error_set(err, AWSX_EINTR, "interrupted");
	}
	clear_watch_set(&w);
	uv_walk(&w.loop, close_any, NULL);
	uv_run(&w.loop, UV_RUN_DEFAULT);
	uv_loop_close(&w.loop);
	for (size_t i = 0; i < w.np; i++)
		free(w.p[i].id);
	free(w.p);
	free(w.d);
	return rc;
}
