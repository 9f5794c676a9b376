/*
 * value: checking one value of a directive.  Every function here
 * either stores a checked value or fills the diag with the directive's
 * name, the value and what was expected, so each message can be read
 * without the manual: "port: '0' is not a number in 1..65535".  Names are
 * checked with lib/wire/dname (host-name syntax, as Runbound accepts) and
 * addresses with inet_pton, so "10.0.0/8" and "1.2.3.4%eth0" are refused.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf_int.h"
#include "wire/dname.h"

int
rb_conf_value_one_of(const char *s, const char *const *list)
{
	for (size_t i = 0; list[i] != NULL; i++) {
		if (strcmp(s, list[i]) == 0)
			return 1;
	}
	return 0;
}

/* A decimal integer in min..max, all of s; -1 when it is not. */
int
rb_conf_value_number(const char *s, long min, long max, long *out)
{
	const char *p = s;
	char *end;
	long v;

	if (*p == '-')
		p++;
	if (*p < '0' || *p > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end != '\0' || errno == ERANGE || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
bad_number(struct rb_conf_ps *ps, const struct rb_conf_line *l, const char *v,
    long min, long max)
{
	return rb_conf_err(ps, l, "%s: '%s' is not a number in %ld..%ld",
	    l->key, v, min, max);
}

int
rb_conf_value_yesno(struct rb_conf_ps *ps, const struct rb_conf_line *l,
    int *out)
{
	const char *v = l->args[0].s;

	if (strcmp(v, "yes") == 0)
		*out = 1;
	else if (strcmp(v, "no") == 0)
		*out = 0;
	else
		return rb_conf_err(ps, l, "%s: expected yes or no, got '%s'",
		    l->key, v);
	return 0;
}

/* AF_INET or AF_INET6 when s is an address, else 0. */
int
rb_conf_value_address(const char *s)
{
	unsigned char buf[16];

	if (inet_pton(AF_INET, s, buf) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, s, buf) == 1)
		return AF_INET6;
	return 0;
}

/* "addr/len" or a bare address (given /32 or /128) into a new string. */
char *
rb_conf_value_netblock(const char *s, int *bad)
{
	const char *slash = strchr(s, '/');
	char ip[INET6_ADDRSTRLEN + 1], *out;
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	long len;
	int af;

	*bad = 1;
	if (n >= sizeof ip)
		return NULL;
	memcpy(ip, s, n);
	ip[n] = '\0';
	af = rb_conf_value_address(ip);
	if (af == 0)
		return NULL;
	if (slash &&
	    (slash[1] == '-' ||
	        rb_conf_value_number(slash + 1, 0, af == AF_INET ? 32 : 128,
	            &len) < 0))
		return NULL;
	*bad = 0;
	if (slash)
		return strdup(s);
	if (asprintf(&out, "%s/%d", s, af == AF_INET ? 32 : 128) < 0)
		return NULL;
	return out;
}

/* A checked domain name with its final dot, as a new string. */
char *
rb_conf_value_domain(struct rb_conf_ps *ps, const struct rb_conf_line *l,
    const char *s)
{
	uint8_t wire[RB_DNAME_MAX];
	const char *why = "invalid name";
	size_t n = strlen(s);
	char *out;

	if (rb_dname_from_text(s, wire, &why) < 0) {
		rb_conf_err(ps, l, "%s: invalid name '%s': %s", l->key, s, why);
		return NULL;
	}
	out = malloc(n + 2);
	if (out == NULL) {
		rb_conf_nomem(ps, l);
		return NULL;
	}
	memcpy(out, s, n + 1);
	if (s[n - 1] != '.')
		memcpy(out + n, ".", 2);
	return out;
}

int
rb_conf_value_push_str(struct rb_conf_ps *ps, const struct rb_conf_line *l,
    char ***v, size_t *n, char *s)
{
	if (s == NULL || rb_conf_grow((void **)v, *n, sizeof **v) < 0) {
		free(s);
		return rb_conf_nomem(ps, l);
	}
	(*v)[(*n)++] = s;
	return 0;
}

/* Split "text@port" at the last '@': *port is 0 when there is none. */
int
rb_conf_value_at_port(struct rb_conf_ps *ps, const struct rb_conf_line *l,
    char *s, int *port)
{
	char *at = strrchr(s, '@');
	long p;

	*port = 0;
	if (at == NULL)
		return 0;
	*at = '\0';
	if (rb_conf_value_number(at + 1, 1, 65535, &p) < 0)
		return rb_conf_err(ps, l, "%s: '%s' is not a port (1..65535)",
		    l->key, at + 1);
	*port = (int)p;
	return 0;
}

/* Store a string value; RB_CONF_OPTSTR turns "" into NULL, RB_CONF_STR
 * refuses it. */
static int
set_str(struct rb_conf_ps *ps, const struct rb_conf_line *l, char **field,
    enum rb_conf_kind kind)
{
	const char *v = l->args[0].s;
	char *s = NULL;

	if (v[0] == '\0' && kind == RB_CONF_STR)
		return rb_conf_err(ps, l, "%s: empty value", l->key);
	if (v[0] != '\0' && (s = strdup(v)) == NULL)
		return rb_conf_nomem(ps, l);
	free(*field);
	*field = s;
	return 0;
}

int
rb_conf_value_apply(struct rb_conf_ps *ps, const struct rb_conf_line *l,
    const struct rb_conf_directive *dir)
{
	char *field = (char *)ps->c + dir->off;
	const char *v;
	long n;

	if (dir->nargs == 0 && l->nargs == 0)
		return rb_conf_err(ps, l, "%s: missing value", l->key);
	if (dir->nargs != 0 && l->nargs != (size_t)dir->nargs)
		return rb_conf_err(ps, l, "%s: expected %d value%s, got %zu",
		    l->key, dir->nargs, dir->nargs == 1 ? "" : "s", l->nargs);
	v = l->args[0].s;
	switch (dir->kind) {
	case RB_CONF_BOOL:
		return rb_conf_value_yesno(ps, l, (int *)(void *)field);
	case RB_CONF_INT:
	case RB_CONF_LONG:
		if (rb_conf_value_number(v, dir->min, dir->max, &n) < 0)
			return bad_number(ps, l, v, dir->min, dir->max);
		if (dir->kind == RB_CONF_INT)
			*(int *)(void *)field = (int)n;
		else
			*(long *)(void *)field = n;
		return 0;
	case RB_CONF_STR:
	case RB_CONF_OPTSTR:
		return set_str(ps, l, (char **)(void *)field, dir->kind);
	case RB_CONF_FN:
		break;
	}
	return dir->fn(ps, l);
}
