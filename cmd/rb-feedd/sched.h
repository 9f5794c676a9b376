#ifndef RB_FEEDD_SCHED_H
#define RB_FEEDD_SCHED_H

/*
 * rb-feedd's feed scheduler: when each subscribed feed is next due.  The
 * store is the source of truth: a feed's last_checked and last_error,
 * whoever wrote them (rb-feedd, `rb-feed update`, rb-apid), decide its
 * next refresh; only what no file records (failures in a row, a feed
 * busy in another fetcher) lives here.
 */

#include <stddef.h>

#include <jansson.h>

enum sched_state {
	SCHED_NEW,   /* never checked: due at once */
	SCHED_WAIT,  /* checked fine: due an interval (±10%) later */
	SCHED_RETRY, /* last check failed: due after a backoff */
	SCHED_BUSY   /* another fetcher held it: due in a few seconds */
};

enum sched_event {
	SCHED_EV_NEVER,     /* the store says: never checked */
	SCHED_EV_OK,        /* the store says: checked at `at`, no error */
	SCHED_EV_ERROR,     /* the store says: checked at `at`, with an error */
	SCHED_EV_BUSY,      /* our attempt found the feed locked */
	SCHED_EV_UNRECORDED /* our attempt failed and nothing was recorded */
};

struct sched_feed {
	char id[37];
	char name[129];
	char checked[40]; /* last_checked as the store had it; "" = null */
	enum sched_state state;
	int fails; /* failed checks in a row */
	long long due;
	int seen;
};

struct sched {
	struct sched_feed *v;
	size_t n, cap;
	long interval; /* feed-interval */
	long retry;    /* first backoff, doubling up to interval */
};

/* Bring the table in line with the feeds of the store (borrowed array of
 * entries): new feeds appear, deleted or disabled ones go, and a feed
 * whose last_checked changed is rescheduled from it.  -1 on ENOMEM. */
int sched_sync(struct sched *s, const json_t *feeds, long long now);

/* Apply one event to f (the transition table of doc/rb-feedd.md). */
void sched_event(const struct sched *s, struct sched_feed *f,
    enum sched_event ev, long long at, long long now);

/* The feed due soonest, or NULL when there is none. */
struct sched_feed *sched_next(struct sched *s);

/* Forget every feed (a new interval applies to all). */
void sched_clear(struct sched *s);

void sched_fini(struct sched *s);

#endif
