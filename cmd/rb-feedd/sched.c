/*
 * sched: the feed scheduler's state machine.  One switch holds every
 * transition; sched_sync turns changes in the store into events, and
 * main turns the outcome of its own attempts (busy, unrecorded) into the
 * others.  Due times are Unix seconds.  Jitter (±10% of the interval)
 * spreads feeds added together; the backoff doubles from `retry` to the
 * interval, so a feed host that is down is asked less and less often.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sched.h"

static long long
jittered(long interval)
{
	double f = 0.9 + 0.2 * ((double)random() / (double)RAND_MAX);
	long long v = (long long)((double)interval * f);

	return v > 0 ? v : 1;
}

static long long
backoff(const struct sched *s, int fails)
{
	long long d = s->retry;

	for (int i = 1; i < fails && d < s->interval; i++)
		d *= 2;
	return d < s->interval ? d : s->interval;
}

void
sched_event(const struct sched *s, struct sched_feed *f, enum sched_event ev,
    long long at, long long now)
{
	switch (ev) {
	case SCHED_EV_NEVER:
		f->state = SCHED_NEW;
		f->fails = 0;
		f->due = now;
		break;
	case SCHED_EV_OK:
		f->state = SCHED_WAIT;
		f->fails = 0;
		f->due = at + jittered(s->interval);
		break;
	case SCHED_EV_ERROR:
		f->state = SCHED_RETRY;
		f->fails++;
		f->due = at + backoff(s, f->fails);
		break;
	case SCHED_EV_UNRECORDED:
		f->state = SCHED_RETRY;
		f->fails++;
		f->due = now + backoff(s, f->fails);
		break;
	case SCHED_EV_BUSY:
		f->state = SCHED_BUSY;
		f->due = now + 5;
		break;
	}
	/* A last_checked in the future (a clock set back) must not park a
	 * feed for longer than one interval. */
	if (f->due > now + s->interval)
		f->due = now + s->interval;
}

static struct sched_feed *
find(struct sched *s, const char *id)
{
	for (size_t i = 0; i < s->n; i++) {
		if (strcmp(s->v[i].id, id) == 0)
			return &s->v[i];
	}
	return NULL;
}

static struct sched_feed *
add(struct sched *s, const char *id)
{
	struct sched_feed *f;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct sched_feed *v = realloc(s->v, cap * sizeof *v);

		if (v == NULL)
			return NULL;
		s->v = v;
		s->cap = cap;
	}
	f = &s->v[s->n++];
	memset(f, 0, sizeof *f);
	snprintf(f->id, sizeof f->id, "%s", id);
	return f;
}

/* "2026-05-16T10:00:00Z" to Unix seconds; -1 when it is not that. */
static long long
parse_time(const char *s)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof tm);
	end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (end == NULL || *end != '\0')
		return -1;
	return (long long)timegm(&tm);
}

static void
observe(struct sched *s, struct sched_feed *f, const json_t *feed,
    long long now)
{
	const char *checked = json_string_value(
	    json_object_get(feed, "last_checked"));
	const json_t *err = json_object_get(feed, "last_error");
	long long at;

	if (strcmp(checked ? checked : "", f->checked) == 0 && f->seen != 2)
		return;
	snprintf(f->checked, sizeof f->checked, "%s", checked ? checked : "");
	if (checked == NULL || (at = parse_time(checked)) < 0)
		sched_event(s, f, SCHED_EV_NEVER, 0, now);
	else if (err == NULL || json_is_null(err))
		sched_event(s, f, SCHED_EV_OK, at, now);
	else
		sched_event(s, f, SCHED_EV_ERROR, at, now);
}

int
sched_sync(struct sched *s, const json_t *feeds, long long now)
{
	size_t i, k;
	json_t *v;

	for (i = 0; i < s->n; i++)
		s->v[i].seen = 0;
	json_array_foreach (feeds, i, v) {
		const char *id = json_string_value(json_object_get(v, "id"));
		const char *name = json_string_value(
		    json_object_get(v, "name"));
		struct sched_feed *f;

		if (id == NULL || json_is_false(json_object_get(v, "enabled")))
			continue;
		if ((f = find(s, id)) == NULL) {
			if ((f = add(s, id)) == NULL)
				return -1;
			f->seen = 2; /* new to us: schedule from the store */
		}
		snprintf(f->name, sizeof f->name, "%s", name ? name : "");
		observe(s, f, v, now);
		f->seen = 1;
	}
	for (i = k = 0; i < s->n; i++) {
		if (s->v[i].seen)
			s->v[k++] = s->v[i];
	}
	s->n = k;
	return 0;
}

struct sched_feed *
sched_next(struct sched *s)
{
	struct sched_feed *best = NULL;

	for (size_t i = 0; i < s->n; i++) {
		if (best == NULL || s->v[i].due < best->due)
			best = &s->v[i];
	}
	return best;
}

void
sched_clear(struct sched *s)
{
	s->n = 0;
}

void
sched_fini(struct sched *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}
