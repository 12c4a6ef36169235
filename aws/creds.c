/* SPDX-License-Identifier: Apache-2.0 */
/*
 * creds.c: the credential chain, in the order the AWS SDKs use:
 *   1. environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 *      AWS_SESSION_TOKEN), skipped when --profile names a profile;
 *   2. the profile: role_arn (AssumeRole from source_profile, through any
 *      number of hops, or from credential_source), web identity (profile or
 *      AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN), SSO (the token cached by
 *      `aws sso login`, then the portal's GetRoleCredentials), static keys,
 *      credential_process;
 *   3. container credentials (ECS / EKS Pod Identity);
 *   4. EC2 instance metadata (IMDSv2, falling back to v1 where allowed).
 * Each source returns 0 (found), 1 (nothing here, try the next) or -kind.
 */
#include "aws/internal.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "aws/endpoint.h"

extern char **environ;

#define NOT_FOUND 1
#define MAX_HOPS 16

static int is_true(const char *v)
{
	return v && !strcasecmp(v, "true");
}

static void set_creds(struct aws_credentials *out, const char *ak,
		      const char *sk, const char *token, long long exp,
		      char *source)
{
	memset(out, 0, sizeof(*out));
	out->access_key_id = xstrdup(ak);
	out->secret_access_key = xstrdup(sk);
	out->session_token = token && *token ? xstrdup(token) : NULL;
	out->expiration = exp;
	out->source = source;
}

/* ---- 1. environment ---- */

static int from_env(struct aws_credentials *out, struct aws_error *err)
{
	const char *ak = aws_getenv("AWS_ACCESS_KEY_ID");
	const char *sk = aws_getenv("AWS_SECRET_ACCESS_KEY");
	const char *tok = aws_getenv("AWS_SESSION_TOKEN");
	if (!tok)
		tok = aws_getenv("AWS_SECURITY_TOKEN");
	if (!ak && !sk)
		return NOT_FOUND;
	if (!ak || !sk)
		return aws_error_set(err, AWSX_ECONFIG,
				     "partial credentials in the environment: %s is set but %s is not",
				     ak ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
				     ak ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
	long long exp = 0;
	const char *e = aws_getenv("AWS_CREDENTIAL_EXPIRATION");
	if (e && (exp = parse_iso8601(e)) < 0)
		exp = 0;
	set_creds(out, ak, sk, tok, exp, xstrdup("env"));
	return 0;
}

/* ---- static keys ---- */

static int from_static(struct aws_ctx *ctx, const char *profile,
		       struct aws_credentials *out, struct aws_error *err)
{
	const char *ak = aws_config_get(ctx->cfg, profile, "aws_access_key_id");
	const char *sk = aws_config_get(ctx->cfg, profile, "aws_secret_access_key");
	const char *tok = aws_config_get(ctx->cfg, profile, "aws_session_token");
	if (!tok)
		tok = aws_config_get(ctx->cfg, profile, "aws_security_token");
	if (!ak && !sk)
		return NOT_FOUND;
	if (!ak || !sk)
		return aws_error_set(err, AWSX_ECONFIG,
				     "profile '%s' has %s but no %s (%s)", profile,
				     ak ? "aws_access_key_id" : "aws_secret_access_key",
				     ak ? "aws_secret_access_key" : "aws_access_key_id",
				     aws_config_origin(ctx->cfg, profile,
						       ak ? "aws_access_key_id" : "aws_secret_access_key"));
	set_creds(out, ak, sk, tok, 0, xstrfmt("profile %s", profile));
	return 0;
}

/* ---- credential_process ---- */

/*
 * Split a command line into words like a POSIX shell would for plain
 * words, '...' and "..." quoting and backslash escapes, without expanding
 * anything.  Returns the number of words or -1 on an unterminated quote.
 */
int creds_split_command(const char *cmd, char ***argv_out)
{
	char **argv = NULL;
	size_t nr = 0, alloc = 0;
	const char *p = cmd;
	struct strbuf word = STRBUF_INIT;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		strbuf_reset(&word);
		int quote = 0;
		while (*p && (quote || (*p != ' ' && *p != '\t' && *p != '\n'))) {
			if (quote == '\'') {
				if (*p == '\'')
					quote = 0;
				else
					strbuf_addch(&word, *p);
			} else if (*p == '\\' && p[1] && quote != '\'') {
				p++;
				strbuf_addch(&word, *p);
			} else if (quote == '"') {
				if (*p == '"')
					quote = 0;
				else
					strbuf_addch(&word, *p);
			} else if (*p == '\'' || *p == '"') {
				quote = *p;
			} else {
				strbuf_addch(&word, *p);
			}
			p++;
		}
		if (quote) {
			for (size_t i = 0; i < nr; i++)
				free(argv[i]);
			free(argv);
			strbuf_release(&word);
			return -1;
		}
		ALLOC_GROW(argv, nr + 2, alloc);
		argv[nr++] = xstrndup(word.buf, word.len);
		argv[nr] = NULL;
	}
	strbuf_release(&word);
	if (!argv) {
		argv = xcalloc(1, sizeof(*argv));
	}
	*argv_out = argv;
	return (int)nr;
}

static void free_argv(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

/* Run argv, capturing stdout and stderr (each at most 1 MiB). */
static int run_capture(char **argv, struct strbuf *out, struct strbuf *errout,
		       int *status, struct aws_error *err)
{
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 };
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int rc = 0;

	if (pipe2(po, O_CLOEXEC) || pipe2(pe, O_CLOEXEC)) {
		rc = aws_error_set(err, AWSX_ECONFIG, "cannot run credential_process: %s",
				   strerror(errno));
		goto out;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
	int e = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(po[1]);
	close(pe[1]);
	po[1] = pe[1] = -1;
	if (e) {
		rc = aws_error_set(err, AWSX_ECONFIG, "cannot run credential_process '%s': %s",
				   argv[0], strerror(e));
		goto out;
	}
	struct pollfd fds[2] = { { po[0], POLLIN, 0 }, { pe[0], POLLIN, 0 } };
	int open_fds = 2;
	while (open_fds) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			char buf[4096];
			ssize_t n = read(fds[i].fd, buf, sizeof(buf));
			if (n <= 0) {
				fds[i].fd = -1;
				open_fds--;
				continue;
			}
			struct strbuf *sb = i ? errout : out;
			if (sb->len < (1u << 20))
				strbuf_add(sb, buf, (size_t)n);
		}
	}
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
out:
	for (int i = 0; i < 2; i++) {
		if (po[i] >= 0)
			close(po[i]);
		if (pe[i] >= 0)
			close(pe[i]);
	}
	return rc;
}

static const char *json_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int from_process(struct aws_ctx *ctx, const char *profile,
			struct aws_credentials *out, struct aws_error *err)
{
	const char *cmd = aws_config_get(ctx->cfg, profile, "credential_process");
	char **argv = NULL;
	struct strbuf so = STRBUF_INIT, se = STRBUF_INIT;
	cJSON *j = NULL;
	int status = 0, rc;

	if (!cmd)
		return NOT_FOUND;
	if (creds_split_command(cmd, &argv) <= 0) {
		rc = aws_error_set(err, AWSX_ECONFIG,
				   "invalid credential_process in profile '%s' (%s): empty or unterminated quote",
				   profile, aws_config_origin(ctx->cfg, profile, "credential_process"));
		goto out;
	}
	rc = run_capture(argv, &so, &se, &status, err);
	if (rc)
		goto out;
	strbuf_trim(&se);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		for (size_t i = 0; i < se.len; i++)
			if (se.buf[i] == '\n' || se.buf[i] == '\r')
				se.buf[i] = ' ';
		rc = aws_error_set(err, AWSX_ECONFIG,
				   "credential_process of profile '%s' failed (exit %d)%s%s",
				   profile, WIFEXITED(status) ? WEXITSTATUS(status) : -1,
				   se.len ? ": " : "", se.buf);
		goto out;
	}
	j = cJSON_ParseWithLength(so.buf, so.len);
	if (!j || !cJSON_IsObject(j)) {
		rc = aws_error_set(err, AWSX_ECONFIG,
				   "credential_process of profile '%s' printed no JSON object", profile);
		goto out;
	}
	const cJSON *ver = cJSON_GetObjectItemCaseSensitive(j, "Version");
	if (!cJSON_IsNumber(ver) || ver->valueint != 1) {
		rc = aws_error_set(err, AWSX_ECONFIG,
				   "credential_process of profile '%s': unsupported Version (expected 1)", profile);
		goto out;
	}
	const char *ak = json_str(j, "AccessKeyId"), *sk = json_str(j, "SecretAccessKey");
	if (!ak || !sk) {
		rc = aws_error_set(err, AWSX_ECONFIG,
				   "credential_process of profile '%s': missing %s", profile,
				   ak ? "SecretAccessKey" : "AccessKeyId");
		goto out;
	}
	long long exp = 0;
	const char *es = json_str(j, "Expiration");
	if (es && (exp = parse_iso8601(es)) < 0) {
		rc = aws_error_set(err, AWSX_ECONFIG,
				   "credential_process of profile '%s': invalid Expiration '%s'", profile, es);
		goto out;
	}
	set_creds(out, ak, sk, json_str(j, "SessionToken"), exp,
		  xstrfmt("process (profile %s)", profile));
	rc = 0;
out:
	if (j) {
		/* wipe the secret before cJSON frees it */
		cJSON *s = cJSON_GetObjectItemCaseSensitive(j, "SecretAccessKey");
		if (cJSON_IsString(s))
			OPENSSL_cleanse(s->valuestring, strlen(s->valuestring));
		cJSON_Delete(j);
	}
	free_argv(argv);
	strbuf_release_secret(&so);
	strbuf_release(&se);
	return rc;
}

/* ---- web identity ---- */

static int from_web_identity(struct aws_ctx *ctx, const char *profile,
			     struct aws_credentials *out, struct aws_error *err)
{
	const char *file = profile ? aws_config_get(ctx->cfg, profile, "web_identity_token_file") : NULL;
	const char *role = profile ? aws_config_get(ctx->cfg, profile, "role_arn") : NULL;
	const char *session = profile ? aws_config_get(ctx->cfg, profile, "role_session_name") : NULL;
	const char *where = "profile";
	struct strbuf token = STRBUF_INIT;
	int rc;

	if (!file) {
		file = aws_getenv("AWS_WEB_IDENTITY_TOKEN_FILE");
		role = aws_getenv("AWS_ROLE_ARN");
		session = aws_getenv("AWS_ROLE_SESSION_NAME");
		where = "environment";
	}
	if (!file)
		return NOT_FOUND;
	if (!role)
		return aws_error_set(err, AWSX_ECONFIG,
				     "web identity token file '%s' is set in the %s but no role ARN (AWS_ROLE_ARN or role_arn)",
				     file, where);
	if (strbuf_read_file(&token, file, 64 * 1024)) {
		rc = aws_error_set(err, AWSX_ECONFIG, "cannot read web identity token file '%s': %s",
				   file, strerror(errno));
		goto out;
	}
	strbuf_trim(&token);
	struct sts_assume_role_params p = { .role_arn = role, .session_name = session };
	rc = sts_assume_role_with_web_identity(ctx, &p, token.buf, out, err);
	if (rc) {
		if (rc == -AWSX_ESERVICE)
			rc = -(err->kind = AWSX_ECONFIG);
		goto out;
	}
	out->source = xstrdup("web-identity");
out:
	strbuf_release_secret(&token);
	return rc;
}

/* ---- SSO ---- */

static void sha1_hex(const char *s, char hex[41])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	EVP_Digest(s, strlen(s), md, &n, EVP_sha1(), NULL);
	for (unsigned i = 0; i < n && i < 20; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

static int from_sso(struct aws_ctx *ctx, const char *profile,
		    struct aws_credentials *out, struct aws_error *err)
{
	const char *session = aws_config_get(ctx->cfg, profile, "sso_session");
	const char *start_url, *sso_region, *key;
	const char *account = aws_config_get(ctx->cfg, profile, "sso_account_id");
	const char *role = aws_config_get(ctx->cfg, profile, "sso_role_name");
	struct strbuf path = STRBUF_INIT, cache = STRBUF_INIT;
	cJSON *j = NULL;
	struct aws_call call;
	struct aws_response resp;
	int rc;

	aws_call_init(&call, "GetRoleCredentials");
	aws_response_init(&resp);
	if (session) {
		start_url = aws_config_section_get(ctx->cfg, AWS_CONFIG_SSO_SESSION, session, "sso_start_url");
		sso_region = aws_config_section_get(ctx->cfg, AWS_CONFIG_SSO_SESSION, session, "sso_region");
		if (!start_url || !sso_region) {
			rc = aws_error_set(err, AWSX_ECONFIG,
					   "profile '%s' uses sso_session '%s', but [sso-session %s] in '%s' has no %s",
					   profile, session, session, aws_config_path(ctx->cfg),
					   start_url ? "sso_region" : "sso_start_url");
			goto out;
		}
		key = session;
	} else {
		start_url = aws_config_get(ctx->cfg, profile, "sso_start_url");
		sso_region = aws_config_get(ctx->cfg, profile, "sso_region");
		if (!start_url) {
			rc = NOT_FOUND;
			goto out;
		}
		if (!sso_region) {
			rc = aws_error_set(err, AWSX_ECONFIG, "profile '%s' has sso_start_url but no sso_region", profile);
			goto out;
		}
		key = start_url;
	}
	if (!account || !role) {
		rc = aws_error_set(err, AWSX_ECONFIG, "profile '%s' uses SSO but has no %s", profile,
				   account ? "sso_role_name" : "sso_account_id");
		goto out;
	}
	char hex[41] = "";
	sha1_hex(key, hex);
	const char *home = aws_getenv("HOME");
	strbuf_addf(&path, "%s/.aws/sso/cache/%s.json", home ? home : ".", hex);
	if (strbuf_read_file(&cache, path.buf, 1 << 20)) {
		rc = aws_error_set(err, AWSX_ECONFIG,
				   "no SSO token for profile '%s' (%s): run 'aws sso login --profile %s'",
				   profile, path.buf, profile);
		goto out;
	}
	j = cJSON_ParseWithLength(cache.buf, cache.len);
	const char *token = j ? json_str(j, "accessToken") : NULL;
	const char *expires = j ? json_str(j, "expiresAt") : NULL;
	if (!token || !expires) {
		rc = aws_error_set(err, AWSX_ECONFIG,
				   "SSO token cache '%s' is not valid: run 'aws sso login --profile %s'",
				   path.buf, profile);
		goto out;
	}
	char exp_buf[40];
	snprintf(exp_buf, sizeof(exp_buf), "%s", expires);
	if (str_ends_with(exp_buf, "UTC")) /* older CLIs wrote "...UTC" */
		exp_buf[strlen(exp_buf) - 3] = 'Z', exp_buf[strlen(exp_buf) - 2] = '\0';
	long long exp = parse_iso8601(exp_buf);
	if (exp < 0 || exp <= (long long)time(NULL)) {
		rc = aws_error_set(err, AWSX_ECONFIG,
				   "the SSO session of profile '%s' has expired: run 'aws sso login --profile %s'",
				   profile, profile);
		goto out;
	}
	call.method = "GET";
	call.path = xstrdup("/federation/credentials");
	kvlist_add(&call.query, "role_name", role);
	kvlist_add(&call.query, "account_id", account);
	kvlist_add(&call.headers, "x-amz-sso_bearer_token", token);
	call.region = sso_region;
	rc = aws_call(ctx, &aws_svc_sso, &call, &resp, err);
	if (rc) {
		if (rc == -AWSX_ESERVICE && (resp.status == 401 || err->http_status == 401 ||
					     !strcmp(err->code, "UnauthorizedException")))
			rc = aws_error_set(err, AWSX_ECONFIG,
					   "the SSO session of profile '%s' is no longer valid: run 'aws sso login --profile %s'",
					   profile, profile);
		goto out;
	}
	const cJSON *rcj = cJSON_GetObjectItemCaseSensitive(resp.json, "roleCredentials");
	const char *ak = json_str(rcj, "accessKeyId"), *sk = json_str(rcj, "secretAccessKey");
	const cJSON *ex = cJSON_GetObjectItemCaseSensitive(rcj, "expiration");
	if (!ak || !sk) {
		rc = aws_error_set(err, AWSX_ESERVICE, "sso GetRoleCredentials answer has no roleCredentials");
		goto out;
	}
	set_creds(out, ak, sk, json_str(rcj, "sessionToken"),
		  cJSON_IsNumber(ex) ? (long long)(ex->valuedouble / 1000) : 0,
		  xstrfmt("sso (profile %s)", profile));
	rc = 0;
out:
	if (j)
		cJSON_Delete(j);
	strbuf_release(&path);
	strbuf_release_secret(&cache);
	aws_response_release(&resp);
	aws_call_release(&call);
	return rc;
}

/* ---- container (ECS, EKS Pod Identity) ---- */

static int container_host_allowed(const char *url)
{
	if (!strncasecmp(url, "https://", 8))
		return 1;
	if (strncasecmp(url, "http://", 7))
		return 0;
	const char *h = url + 7;
	static const char *const ok[] = { "127.", "localhost", "[::1]", "169.254.170.2",
					  "169.254.170.23", "[fd00:ec2::23]" };
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		size_t n = strlen(ok[i]);
		if (!strncasecmp(h, ok[i], n)) {
			char c = h[n];
			if (ok[i][n - 1] == '.' || !c || c == ':' || c == '/')
				return 1;
		}
	}
	return 0;
}

static int parse_cred_json(const char *body, size_t len, const char *what,
			   struct aws_credentials *out, char *source,
			   struct aws_error *err)
{
	cJSON *j = cJSON_ParseWithLength(body, len);
	const char *ak = j ? json_str(j, "AccessKeyId") : NULL;
	const char *sk = j ? json_str(j, "SecretAccessKey") : NULL;
	int rc = 0;
	if (!ak || !sk) {
		rc = aws_error_set(err, AWSX_ECONFIG, "%s answered without AccessKeyId and SecretAccessKey", what);
		free(source);
	} else {
		const char *es = json_str(j, "Expiration");
		long long exp = es ? parse_iso8601(es) : 0;
		set_creds(out, ak, sk, json_str(j, "Token"), exp > 0 ? exp : 0, source);
	}
	if (j)
		cJSON_Delete(j);
	return rc;
}

static int from_container(struct aws_ctx *ctx, struct aws_credentials *out,
			  struct aws_error *err)
{
	const char *rel = aws_getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = aws_getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	struct strbuf url = STRBUF_INIT, token = STRBUF_INIT;
	struct kvlist h = KVLIST_INIT;
	struct http_response resp;
	int rc = NOT_FOUND;

	http_response_init(&resp);
	if (rel) {
		strbuf_addf(&url, "http://169.254.170.2%s", rel);
	} else if (full) {
		if (!container_host_allowed(full)) {
			rc = aws_error_set(err, AWSX_ECONFIG,
					   "AWS_CONTAINER_CREDENTIALS_FULL_URI '%s' must use https or a loopback or container-agent address",
					   full);
			goto out;
		}
		strbuf_adds(&url, full);
	} else {
		goto out;
	}
	const char *tf = aws_getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	if (tf) {
		if (strbuf_read_file(&token, tf, 16 * 1024)) {
			rc = aws_error_set(err, AWSX_ECONFIG,
					   "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE '%s': %s",
					   tf, strerror(errno));
			goto out;
		}
		strbuf_trim(&token);
	} else if (aws_getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN")) {
		strbuf_adds(&token, aws_getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN"));
	}
	if (token.len) {
		if (strpbrk(token.buf, "\r\n")) {
			rc = aws_error_set(err, AWSX_ECONFIG, "the container authorization token contains a line break");
			goto out;
		}
		kvlist_add(&h, "Authorization", token.buf);
	}
	for (int attempt = 1; attempt <= 3; attempt++) {
		rc = aws_http_plain(ctx, "GET", url.buf, &h, 2000, &resp, err);
		if (rc == -AWSX_EINTR)
			goto out;
		if (!rc && resp.status < 500)
			break;
	}
	if (rc) {
		err->kind = AWSX_ECONFIG;
		rc = -AWSX_ECONFIG;
		goto out;
	}
	if (resp.status != 200) {
		rc = aws_error_set(err, AWSX_ECONFIG, "container credentials endpoint '%s' answered HTTP %ld",
				   url.buf, resp.status);
		goto out;
	}
	rc = parse_cred_json(resp.body.buf, resp.body.len, "the container credentials endpoint",
			     out, xstrdup("container"), err);
out:
	strbuf_release(&url);
	strbuf_release_secret(&token);
	kvlist_release(&h);
	http_response_release(&resp);
	return rc;
}

/* ---- EC2 instance metadata ---- */

static int from_imds(struct aws_ctx *ctx, struct aws_credentials *out,
		     struct aws_error *err)
{
	struct strbuf base = STRBUF_INIT, url = STRBUF_INIT, role = STRBUF_INIT;
	struct kvlist h = KVLIST_INIT;
	struct http_response resp;
	struct aws_error ignored;
	int rc = NOT_FOUND;
	long timeout_ms = 1000;
	int attempts = 1;

	if (is_true(aws_getenv("AWS_EC2_METADATA_DISABLED")))
		return NOT_FOUND;
	http_response_init(&resp);
	const char *t = aws_getenv("AWS_METADATA_SERVICE_TIMEOUT");
	if (t && atof(t) > 0)
		timeout_ms = (long)(atof(t) * 1000);
	const char *na = aws_getenv("AWS_METADATA_SERVICE_NUM_ATTEMPTS");
	if (na && atoi(na) > 0)
		attempts = atoi(na);
	const char *ep = aws_getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	if (!ep)
		ep = aws_config_get(ctx->cfg, ctx->profile, "ec2_metadata_service_endpoint");
	if (!ep) {
		const char *mode = aws_getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
		if (!mode)
			mode = aws_config_get(ctx->cfg, ctx->profile, "ec2_metadata_service_endpoint_mode");
		ep = mode && !strcasecmp(mode, "IPv6") ? "http://[fd00:ec2::254]" : "http://169.254.169.254";
	}
	strbuf_adds(&base, ep);
	while (base.len && base.buf[base.len - 1] == '/')
		strbuf_setlen(&base, base.len - 1);

	/* IMDSv2 session token */
	struct kvlist th = KVLIST_INIT;
	kvlist_add(&th, "X-aws-ec2-metadata-token-ttl-seconds", "21600");
	strbuf_addf(&url, "%s/latest/api/token", base.buf);
	int got = -1;
	for (int a = 0; a < attempts && got; a++)
		got = aws_http_plain(ctx, "PUT", url.buf, &th, timeout_ms, &resp, &ignored);
	kvlist_release(&th);
	if (got == -AWSX_EINTR) {
		rc = aws_error_set(err, AWSX_EINTR, "interrupted");
		goto out;
	}
	if (got)
		goto out; /* no metadata service here: not on EC2 */
	if (resp.status == 200) {
		strbuf_trim(&resp.body);
		kvlist_add(&h, "X-aws-ec2-metadata-token", resp.body.buf);
	} else if (resp.status == 400 || is_true(aws_getenv("AWS_EC2_METADATA_V1_DISABLED")) ||
		   !(resp.status == 403 || resp.status == 404 || resp.status == 405)) {
		rc = aws_error_set(err, AWSX_ECONFIG,
				   "instance metadata service at '%s' refused a session token (HTTP %ld)",
				   base.buf, resp.status);
		goto out;
	}

	strbuf_reset(&url);
	strbuf_addf(&url, "%s/latest/meta-data/iam/security-credentials/", base.buf);
	if (aws_http_plain(ctx, "GET", url.buf, &h, timeout_ms, &resp, &ignored) ||
	    resp.status != 200) {
		if (resp.status == 404)
			goto out; /* instance without a role */
		rc = aws_error_set(err, AWSX_ECONFIG,
				   "instance metadata service at '%s' did not name a role (HTTP %ld)",
				   base.buf, resp.status);
		goto out;
	}
	strbuf_add(&role, resp.body.buf, strcspn(resp.body.buf, "\r\n"));
	strbuf_trim(&role);
	if (!role.len || strchr(role.buf, '/'))
		goto out;
	strbuf_reset(&url);
	strbuf_addf(&url, "%s/latest/meta-data/iam/security-credentials/%s", base.buf, role.buf);
	if (aws_http_plain(ctx, "GET", url.buf, &h, timeout_ms, &resp, &ignored) ||
	    resp.status != 200) {
		rc = aws_error_set(err, AWSX_ECONFIG,
				   "instance metadata service at '%s' gave no credentials for role '%s' (HTTP %ld)",
				   base.buf, role.buf, resp.status);
		goto out;
	}
	rc = parse_cred_json(resp.body.buf, resp.body.len, "the instance metadata service",
			     out, xstrdup("imds"), err);
out:
	strbuf_release(&base);
	strbuf_release(&url);
	strbuf_release(&role);
	kvlist_release(&h);
	http_response_release(&resp);
	return rc;
}

/* ---- assume role ---- */

static int resolve_profile(struct aws_ctx *ctx, const char *profile,
			   const char **visited, int depth,
			   struct aws_credentials *out, struct aws_error *err);

static int read_mfa_code(struct aws_ctx *ctx, const char *profile,
			 const char *serial, char *code, size_t len,
			 struct aws_error *err)
{
	if (!ctx->interactive)
		return aws_error_set(err, AWSX_ECONFIG,
				     "profile '%s' needs an MFA code for '%s', but there is no terminal to ask on",
				     profile, serial);
	FILE *tty = fopen("/dev/tty", "r+");
	if (!tty)
		return aws_error_set(err, AWSX_ECONFIG, "cannot open the terminal to ask for an MFA code");
	fprintf(tty, "Enter MFA code for %s: ", serial);
	fflush(tty);
	int ok = fgets(code, (int)len, tty) != NULL;
	fclose(tty);
	if (!ok)
		return aws_error_set(err, AWSX_ECONFIG, "no MFA code entered");
	code[strcspn(code, "\r\n")] = '\0';
	return 0;
}

static int from_assume_role(struct aws_ctx *ctx, const char *profile,
			    const char **visited, int depth,
			    struct aws_credentials *out, struct aws_error *err)
{
	const char *role = aws_config_get(ctx->cfg, profile, "role_arn");
	const char *src = aws_config_get(ctx->cfg, profile, "source_profile");
	const char *csrc = aws_config_get(ctx->cfg, profile, "credential_source");
	struct aws_credentials base = { 0 };
	int rc;

	if (!role || aws_config_get(ctx->cfg, profile, "web_identity_token_file"))
		return NOT_FOUND;
	if (src && csrc)
		return aws_error_set(err, AWSX_ECONFIG,
				     "profile '%s' has both source_profile and credential_source; keep one", profile);
	if (!src && !csrc)
		return aws_error_set(err, AWSX_ECONFIG,
				     "profile '%s' has role_arn but neither source_profile nor credential_source", profile);
	if (src) {
		if (!aws_config_has_profile(ctx->cfg, src))
			return aws_error_set(err, AWSX_ECONFIG,
					     "source_profile '%s' of profile '%s' does not exist", src, profile);
		if (!strcmp(src, profile)) {
			/* a profile may assume a role with its own static keys */
			rc = from_static(ctx, profile, &base, err);
			if (rc == NOT_FOUND)
				rc = aws_error_set(err, AWSX_ECONFIG,
						   "profile '%s' is its own source_profile but has no static keys", profile);
		} else {
			rc = resolve_profile(ctx, src, visited, depth + 1, &base, err);
			if (rc == NOT_FOUND)
				rc = aws_error_set(err, AWSX_ECONFIG,
						   "source_profile '%s' of profile '%s' has no credentials", src, profile);
		}
	} else if (!strcmp(csrc, "Environment")) {
		rc = from_env(&base, err);
		if (rc == NOT_FOUND)
			rc = aws_error_set(err, AWSX_ECONFIG,
					   "profile '%s' has credential_source Environment but AWS_ACCESS_KEY_ID is not set", profile);
	} else if (!strcmp(csrc, "Ec2InstanceMetadata")) {
		rc = from_imds(ctx, &base, err);
		if (rc == NOT_FOUND)
			rc = aws_error_set(err, AWSX_ECONFIG,
					   "profile '%s' has credential_source Ec2InstanceMetadata but the metadata service has no credentials", profile);
	} else if (!strcmp(csrc, "EcsContainer")) {
		rc = from_container(ctx, &base, err);
		if (rc == NOT_FOUND)
			rc = aws_error_set(err, AWSX_ECONFIG,
					   "profile '%s' has credential_source EcsContainer but no container credentials are set", profile);
	} else {
		return aws_error_set(err, AWSX_ECONFIG,
				     "profile '%s': unknown credential_source '%s' (expected Environment, Ec2InstanceMetadata or EcsContainer)",
				     profile, csrc);
	}
	if (rc)
		return rc;

	struct sts_assume_role_params p = {
		.role_arn = role,
		.session_name = aws_config_get(ctx->cfg, profile, "role_session_name"),
		.external_id = aws_config_get(ctx->cfg, profile, "external_id"),
		.serial_number = aws_config_get(ctx->cfg, profile, "mfa_serial"),
		.region = aws_config_get(ctx->cfg, profile, "region"),
	};
	const char *dur = aws_config_get(ctx->cfg, profile, "duration_seconds");
	if (dur) {
		char *end;
		long d = strtol(dur, &end, 10);
		if (*end || d < 900 || d > 43200) {
			aws_credentials_release(&base);
			return aws_error_set(err, AWSX_ECONFIG,
					     "profile '%s': duration_seconds '%s' must be a number from 900 to 43200",
					     profile, dur);
		}
		p.duration_seconds = (int)d;
	}
	if (!p.region)
		p.region = ctx->region;
	char code[32] = "";
	if (p.serial_number) {
		rc = read_mfa_code(ctx, profile, p.serial_number, code, sizeof(code), err);
		if (rc) {
			aws_credentials_release(&base);
			return rc;
		}
		p.token_code = code;
	}
	rc = sts_assume_role(ctx, &base, &p, out, err);
	if (!rc)
		out->source = xstrfmt("assume-role %s <- %s", profile,
				      base.source ? base.source : "?");
	else if (rc == -AWSX_ESERVICE)
		/* the user sees the STS error; the exit code says "credentials" */
		err->kind = AWSX_ECONFIG, rc = -AWSX_ECONFIG;
	aws_credentials_release(&base);
	return rc;
}

/* The profile part of the chain, for the named profile. */
static int resolve_profile(struct aws_ctx *ctx, const char *profile,
			   const char **visited, int depth,
			   struct aws_credentials *out, struct aws_error *err)
{
	int rc;
	if (depth >= MAX_HOPS)
		return aws_error_set(err, AWSX_ECONFIG,
				     "profile '%s': more than %d source_profile hops", profile, MAX_HOPS);
	for (int i = 0; i < depth; i++)
		if (!strcmp(visited[i], profile))
			return aws_error_set(err, AWSX_ECONFIG,
					     "source_profile loop: profile '%s' leads back to itself", profile);
	visited[depth] = profile;

	if ((rc = from_assume_role(ctx, profile, visited, depth, out, err)) != NOT_FOUND)
		return rc;
	if (aws_config_get(ctx->cfg, profile, "web_identity_token_file") &&
	    (rc = from_web_identity(ctx, profile, out, err)) != NOT_FOUND)
		return rc;
	if ((rc = from_sso(ctx, profile, out, err)) != NOT_FOUND)
		return rc;
	if (aws_config_get(ctx->cfg, profile, "sso_session") == NULL &&
	    (rc = from_static(ctx, profile, out, err)) != NOT_FOUND)
		return rc;
	return from_process(ctx, profile, out, err);
}

int creds_resolve(struct aws_ctx *ctx, struct aws_credentials *out,
		  struct aws_error *err)
{
	const char *visited[MAX_HOPS];
	int rc;

	memset(out, 0, sizeof(*out));
	visited[0] = ctx->profile; /* the loop check of source_profile starts here */
	if (!ctx->profile_explicit && (rc = from_env(out, err)) != NOT_FOUND)
		return rc;
	if (aws_config_has_profile(ctx->cfg, ctx->profile)) {
		/* role_arn first, then web identity from the environment */
		rc = from_assume_role(ctx, ctx->profile, visited, 0, out, err);
		if (rc != NOT_FOUND)
			return rc;
	}
	if ((rc = from_web_identity(ctx, NULL, out, err)) != NOT_FOUND)
		return rc;
	if (aws_config_has_profile(ctx->cfg, ctx->profile) &&
	    (rc = resolve_profile(ctx, ctx->profile, visited, 0, out, err)) != NOT_FOUND)
		return rc;
	if ((rc = from_container(ctx, out, err)) != NOT_FOUND)
		return rc;
	if ((rc = from_imds(ctx, out, err)) != NOT_FOUND)
		return rc;
	return aws_error_set(err, AWSX_ECONFIG,
			     "unable to locate credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
			     "or configure profile '%s' in '%s' (see 'aws configure')",
			     ctx->profile, aws_config_credentials_path(ctx->cfg));
}
