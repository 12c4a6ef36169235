/* SPDX-License-Identifier: Apache-2.0 */
/*
 * endpoint.c: from (service, region) to the URL a request goes to and the
 * region it is signed for.  The partition comes from the region's prefix;
 * the host is "<endpoint prefix>.<region>.<dns suffix>" except for the
 * global services, which have one endpoint per partition (a small table,
 * taken from botocore's endpoints.json).  Before that, the AWS CLI's
 * endpoint overrides are consulted in their documented order, and every
 * URL that comes from outside is checked so a typo fails early with the
 * place it came from.
 */
#include "aws/endpoint.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws/aws.h"

struct partition {
	const char *name;
	const char *region_prefix; /* NULL: the default partition */
	const char *dns_suffix;
	const char *global_region; /* signing region of global services */
};

/* Checked in order; the first prefix that matches wins. */
static const struct partition partitions[] = {
	{ "aws-cn", "cn-", "amazonaws.com.cn", "cn-north-1" },
	{ "aws-us-gov", "us-gov-", "amazonaws.com", "us-gov-west-1" },
	{ "aws-iso", "us-iso-", "c2s.ic.gov", "us-iso-east-1" },
	{ "aws-iso-b", "us-isob-", "sc2s.sgov.gov", "us-isob-east-1" },
	{ "aws-iso-e", "eu-isoe-", "cloud.adc-e.uk", "eu-isoe-west-1" },
	{ "aws-iso-f", "us-isof-", "csp.hci.ic.gov", "us-isof-south-1" },
	{ "aws", NULL, "amazonaws.com", "us-east-1" },
};

/* Global services whose partition endpoint is not "<prefix>.<suffix>". */
static const struct {
	const char *endpoint_prefix;
	const char *partition;
	const char *host;
	const char *signing_region;
} global_endpoints[] = {
	{ "iam", "aws", "iam.amazonaws.com", "us-east-1" },
	{ "iam", "aws-cn", "iam.cn-north-1.amazonaws.com.cn", "cn-north-1" },
	{ "iam", "aws-us-gov", "iam.us-gov.amazonaws.com", "us-gov-west-1" },
	{ "organizations", "aws", "organizations.us-east-1.amazonaws.com",
	  "us-east-1" },
	{ "organizations", "aws-cn",
	  "organizations.cn-northwest-1.amazonaws.com.cn", "cn-northwest-1" },
	{ "organizations", "aws-us-gov",
	  "organizations.us-gov-west-1.amazonaws.com", "us-gov-west-1" },
};

static const struct partition *find_partition(const char *region)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(partitions) - 1; i++)
		if (region && str_starts_with(region, partitions[i].region_prefix))
			break;
	return &partitions[i];
}

const char *endpoint_partition(const char *region)
{
	return find_partition(region)->name;
}

const char *endpoint_dns_suffix(const char *partition)
{
	for (size_t i = 0; partition && i < ARRAY_SIZE(partitions); i++)
		if (!strcmp(partition, partitions[i].name))
			return partitions[i].dns_suffix;
	return "amazonaws.com";
}

/* ^[a-z]{2}(-[a-z]+)+-[0-9]+$, or the pseudo-region "aws-global". */
int endpoint_region_valid(const char *region)
{
	const char *p = region;
	int words = 0;

	if (!region || strlen(region) >= 64)
		return 0;
	if (!strcmp(region, "aws-global"))
		return 1;
	if (!islower((unsigned char)p[0]) || !islower((unsigned char)p[1]) ||
	    p[2] != '-')
		return 0;
	p += 2;
	for (;;) {
		const char *start;

		if (*p != '-')
			return 0;
		start = ++p;
		if (isdigit((unsigned char)*p)) {
			while (isdigit((unsigned char)*p))
				p++;
			return *p == '\0' && words >= 1;
		}
		while (*p >= 'a' && *p <= 'z')
			p++;
		if (p == start)
			return 0;
		words++;
	}
}

static void service_id_to(const char *service_id, struct strbuf *out,
			  int upper)
{
	for (const char *p = service_id; *p; p++) {
		int c = (unsigned char)*p;

		if (c == ' ' || c == '-')
			c = '_';
		strbuf_addch(out, upper ? toupper(c) : tolower(c));
	}
}

void endpoint_env_name(const char *service_id, struct strbuf *out)
{
	strbuf_adds(out, "AWS_ENDPOINT_URL_");
	service_id_to(service_id, out, 1);
}

void endpoint_config_key(const char *service_id, struct strbuf *out)
{
	service_id_to(service_id, out, 0);
}

/*
 * Check a configured URL and copy it to out->url without a trailing '/'.
 * 'where' names the source for the message.
 */
static int set_url(struct endpoint *out, const char *url, const char *where,
		   struct aws_error *err)
{
	const char *why = NULL;
	const char *host, *host_end, *p;
	size_t len = strlen(url);

	for (p = url; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			why = "it contains a blank or a control character";
	if (why)
		goto out;
	if (!strncasecmp(url, "https://", 8)) {
		host = url + 8;
	} else if (!strncasecmp(url, "http://", 7)) {
		host = url + 7;
	} else {
		why = "expected a URL starting with http:// or https://";
		goto out;
	}
	if (strpbrk(url, "?#")) {
		why = "a query or fragment is not allowed";
		goto out;
	}
	host_end = host + strcspn(host, "/");
	if (memchr(host, '@', (size_t)(host_end - host))) {
		why = "user names in the URL are not supported";
		goto out;
	}
	p = host;
	if (*p == '[') {
		p = memchr(host, ']', (size_t)(host_end - host));
		if (!p || p == host + 1) {
			why = "malformed IPv6 address";
			goto out;
		}
		p++;
	} else {
		p += strcspn(host, ":/");
		if (p == host) {
			why = "missing host name";
			goto out;
		}
	}
	if (p < host_end) {
		unsigned long port = 0;

		if (*p != ':' || p + 1 == host_end) {
			why = "invalid port";
			goto out;
		}
		for (p++; p < host_end; p++) {
			if (!isdigit((unsigned char)*p) || port > 65535) {
				why = "invalid port";
				goto out;
			}
			port = port * 10 + (unsigned long)(*p - '0');
		}
		if (port < 1 || port > 65535) {
			why = "invalid port";
			goto out;
		}
	}
	if (len && url[len - 1] == '/')
		len--;
	if (len >= sizeof(out->url)) {
		why = "it is too long";
		goto out;
	}
	memcpy(out->url, url, len);
	out->url[len] = '\0';
	out->overridden = 1;
out:
	if (why)
		return aws_error_set(err, AWSX_ECONFIG,
				     "invalid endpoint URL '%s' from %s: %s", url,
				     where, why);
	return 0;
}

static int is_true(const char *v)
{
	return v && !strcasecmp(v, "true");
}

static const char *env_value(const char *(*getenv_fn)(const char *),
			     const char *name)
{
	const char *v = getenv_fn ? getenv_fn(name) : NULL;
	return v && *v ? v : NULL;
}

/*
 * The configured (not --endpoint-url) override, if any, and where it came
 * from (into where).
 */
static const char *configured_url(const struct aws_service *svc,
				  const struct aws_config *cfg,
				  const char *profile,
				  const char *(*getenv_fn)(const char *),
				  struct strbuf *where)
{
	struct strbuf name = STRBUF_INIT;
	const char *url = NULL, *ignore, *services;

	ignore = getenv_fn ? getenv_fn("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
			   : NULL;
	if (!ignore)
		ignore = aws_config_get(cfg, profile,
					"ignore_configured_endpoint_urls");
	if (is_true(ignore))
		goto out;

	endpoint_env_name(svc->id, &name);
	url = env_value(getenv_fn, name.buf);
	if (url) {
		strbuf_adds(where, name.buf);
		goto out;
	}
	url = env_value(getenv_fn, "AWS_ENDPOINT_URL");
	if (url) {
		strbuf_adds(where, "AWS_ENDPOINT_URL");
		goto out;
	}
	services = aws_config_get(cfg, profile, "services");
	if (services && *services) {
		strbuf_reset(&name);
		endpoint_config_key(svc->id, &name);
		url = aws_config_section_get_sub(cfg, AWS_CONFIG_SERVICES,
						 services, name.buf,
						 "endpoint_url");
		if (url && *url) {
			strbuf_addf(where, "[services %s] %s.endpoint_url",
				    services, name.buf);
			goto out;
		}
		url = NULL;
	}
	url = aws_config_get(cfg, profile, "endpoint_url");
	if (url && *url) {
		strbuf_addf(where, "profile %s endpoint_url (%s)", profile,
			    aws_config_origin(cfg, profile, "endpoint_url"));
		goto out;
	}
	url = NULL;
out:
	strbuf_release(&name);
	return url;
}

static int copy_field(char *dst, size_t size, const char *src)
{
	int n = snprintf(dst, size, "%s", src);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* An overridden endpoint is signed for the request region, "aws-global" aside. */
static int set_override_region(struct endpoint *out, const char *region,
			       struct aws_error *err)
{
	if (!strcmp(region, "aws-global"))
		region = "us-east-1";
	for (const char *p = region; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			return aws_error_set(err, AWSX_ECONFIG,
					     "invalid region '%s'", region);
	if (copy_field(out->signing_region, sizeof(out->signing_region),
		       region))
		return aws_error_set(err, AWSX_ECONFIG,
				     "invalid region '%s': too long", region);
	return 0;
}

static int default_endpoint(const struct aws_service *svc, const char *region,
			    struct endpoint *out, struct aws_error *err)
{
	const struct partition *part;
	const char *host = NULL, *signing = region;
	char buf[sizeof(out->url)];

	if (!endpoint_region_valid(region))
		return aws_error_set(err, AWSX_ECONFIG,
				     "invalid region '%s': expected a name like 'us-east-1'",
				     region);
	part = find_partition(region);
	if (svc->flags & AWS_SVC_GLOBAL) {
		for (size_t i = 0; i < ARRAY_SIZE(global_endpoints); i++) {
			if (!strcmp(global_endpoints[i].endpoint_prefix,
				    svc->endpoint_prefix) &&
			    !strcmp(global_endpoints[i].partition, part->name)) {
				host = global_endpoints[i].host;
				signing = global_endpoints[i].signing_region;
				break;
			}
		}
		if (!host) {
			/* Other partitions: the partition's own region. */
			signing = part->global_region;
		}
	} else if (!strcmp(region, "aws-global")) {
		if (strcmp(svc->endpoint_prefix, "sts"))
			return aws_error_set(err, AWSX_ECONFIG,
					     "service '%s' has no endpoint in region 'aws-global'",
					     svc->id);
		host = "sts.amazonaws.com";
		signing = "us-east-1";
	}
	if (host)
		snprintf(buf, sizeof(buf), "https://%s", host);
	else
		snprintf(buf, sizeof(buf), "https://%s.%s.%s",
			 svc->endpoint_prefix, signing, part->dns_suffix);
	if (copy_field(out->url, sizeof(out->url), buf) ||
	    copy_field(out->signing_region, sizeof(out->signing_region),
		       signing))
		return aws_error_set(err, AWSX_ECONFIG,
				     "endpoint of '%s' in '%s' is too long",
				     svc->id, region);
	return 0;
}

int endpoint_resolve(const struct aws_service *svc, const char *region,
		     const char *flag_url, const struct aws_config *cfg,
		     const char *profile, const char *(*getenv_fn)(const char *),
		     struct endpoint *out, struct aws_error *err)
{
	struct strbuf where = STRBUF_INIT;
	const char *url;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!profile)
		profile = "default";
	if (!region || !*region) {
		if (!(svc->flags & AWS_SVC_GLOBAL)) {
			rc = aws_error_set(err, AWSX_ECONFIG,
					   "no region for '%s': use --region, AWS_REGION or region in the profile",
					   svc->id);
			goto out;
		}
		region = "aws-global";
	}

	if (flag_url) {
		url = flag_url;
		strbuf_adds(&where, "--endpoint-url");
	} else {
		url = configured_url(svc, cfg, profile, getenv_fn, &where);
	}
	if (url) {
		rc = set_url(out, url, where.buf, err);
		if (!rc)
			rc = set_override_region(out, region, err);
		goto out;
	}
	rc = default_endpoint(svc, region, out, err);
out:
	strbuf_release(&where);
	return rc;
}
