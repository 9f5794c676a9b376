/*
 * setup: what rb-dnsd reads besides queries.  runbound.conf gives the
 * access-control list, the rate limit, the transfer lists and the TCP
 * limits (at start and on SIGHUP; a bad file on reload keeps the running
 * config).  data/local.cdb and data/block.cdb, their deltas
 * data/local.delta and data/block.delta (doc/cdb.md, "Deltas"), and
 * data/zones.cdb are mapped through lib/answer/cdbmap and re-mapped when
 * inotify reports a rename into data/ (the writers' only way to change
 * them).
 */

#include <sys/epoll.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dnsd.h"
#include "base/log.h"
#include "sys/inotify.h"

/* Build the ACL, rate limit, transfer list and TCP limits of c into d; on
 * error d keeps its own. */
int
setup_apply_conf(struct dnsd *d, const struct rb_conf *c)
{
	struct rb_acl acl;
	struct rb_tcplimit tcl;
	struct rb_diag diag;
	struct rb_fwdnames names;

	rb_acl_init(&acl);
	rb_tcplimit_init(&tcl);
	for (size_t i = 0; i < c->nacls; i++) {
		if (rb_acl_add(&acl, c->acls[i].netblock, c->acls[i].action,
		        &diag) < 0) {
			rb_error("%s: access-control: %s",
			    c->path ? c->path : "runbound.conf", diag.msg);
			goto fail;
		}
	}
	if (rb_acl_add_defaults(&acl) < 0) {
		rb_error("access-control: %s", strerror(errno));
		goto fail;
	}
	if (tcp_build_limits(c, &tcl) < 0)
		goto fail;
	if (rb_fwdnames_build(&names, c) < 0) {
		rb_error("forward-zone: %s", strerror(errno));
		goto fail;
	}
	if (xfr_apply_conf(d, c) < 0) {
		rb_fwdnames_fini(&names);
		goto fail;
	}
	rb_fwdnames_fini(&d->fwd_names);
	d->fwd_names = names;
	rb_acl_fini(&d->acl);
	d->acl = acl;
	/* Runbound's burst is twice the rate. */
	rb_ratelimit_set(&d->rl, c->rate_limit, 2 * c->rate_limit);
	tcp_apply_conf(d, c, &tcl);
	return 0;
fail:
	rb_tcplimit_fini(&tcl);
	rb_acl_fini(&acl);
	return -1;
}

static struct rb_cdbmap *
map_one(const struct dnsd *d, const char *file)
{
	char path[PATH_MAX + 32];
	struct rb_cdbmap *m;

	if (snprintf(path, sizeof path, "%s/%s", d->data_dir, file) >=
	    (int)sizeof path)
		rb_die(100, "%s/%s: path too long", d->data_dir, file);
	m = rb_cdbmap_new(path);
	if (m == NULL)
		rb_die(111, "unable to map %s: %s", path, strerror(errno));
	return m;
}

void
setup_map_data(struct dnsd *d)
{
	d->local = map_one(d, "local.cdb");
	d->block = map_one(d, "block.cdb");
	d->local_delta = map_one(d, "local.delta");
	d->block_delta = map_one(d, "block.delta");
	d->zones = map_one(d, "zones.cdb");
	feeds_rescan(d);
}

/* Returns 1 when a new file is mapped. */
static int
reload_one(struct dnsd *d, struct rb_cdbmap *m, const char *file)
{
	int r = rb_cdbmap_reload(m);

	/* A delta changes at every write: not worth a log line each. */
	if (r > 0)
		rb_log(strstr(file, ".delta") ? RB_LOG_DEBUG : RB_LOG_INFO,
		    "reloaded data/%s", file);
	if (r < 0) {
		rb_error("unable to map data/%s: %s (keeping the old data)",
		    file, strerror(errno));
		d->reload_pending = 1;
	}
	return r > 0;
}

void
setup_reload_data(struct dnsd *d)
{
	d->reload_pending = 0;
	/* Only a new zones.cdb has consequences beyond the re-map.  Bases
	 * first: a new base under the old delta answers right (the
	 * delta holds the latest state of every name it names). */
	(void)reload_one(d, d->local, "local.cdb");
	(void)reload_one(d, d->block, "block.cdb");
	(void)reload_one(d, d->local_delta, "local.delta");
	(void)reload_one(d, d->block_delta, "block.delta");
	if (reload_one(d, d->zones, "zones.cdb"))
		xfr_notify(d, 0);
	account_data(d);
}

void
setup_reload_conf(struct dnsd *d)
{
	struct rb_conf *c = rb_daemon_config_again(&d->dm);

	if (c == NULL || setup_apply_conf(d, c) < 0) {
		rb_error("config not reloaded, keeping the running one");
		rb_conf_free(c);
		return;
	}
	rb_daemon_use_conf(&d->dm, c);
	rb_info("reloaded %s (interface changes need a restart)", d->conf_path);
	if (rb_forward_apply(d->fwd, c) < 0)
		rb_error("forwarding not reloaded, keeping the running one");
	probe_reload(d);
	setup_reload_data(d);
}

/* (Re)watch data/, or the root until data/ exists. */
static void
watch_data(struct dnsd *d)
{
	d->wd_data = inotify_add_watch(d->inotify.fd, d->data_dir,
	    IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_ONLYDIR);
	if (d->wd_data < 0 && errno != ENOENT)
		rb_warn("inotify on %s: %s", d->data_dir, strerror(errno));
}

/* What a batch of inotify events asks for. */
struct seen {
	struct dnsd *d;
	int changed, ctl, feeds;
};

static void
on_event(void *arg, const struct inotify_event *ev)
{
	struct seen *s = arg;
	struct dnsd *d = s->d;

	if (ev->wd == d->wd_data && (ev->mask & IN_IGNORED))
		d->wd_data = -1; /* data/ went away */
	if (ev->wd == d->wd_feeds && (ev->mask & IN_IGNORED))
		d->wd_feeds = -1; /* feeds/ went away */
	if (ev->mask & IN_Q_OVERFLOW)
		/* Events were lost: look at everything. */
		s->changed = s->ctl = s->feeds = 1;
	else if (ev->wd == d->wd_ctl)
		s->ctl = 1;
	else if (ev->wd == d->wd_feeds ||
	    (ev->wd == d->wd_root && ev->len && strcmp(ev->name, "feeds") == 0))
		s->feeds = 1;
	else
		s->changed = 1;
}

static void
inotify_event(struct dnsd *d, struct watch *w, uint32_t events)
{
	struct seen s = { d, 0, 0, 0 };
	int changed, ctl, feeds;

	(void)rb_inotify_each(w->fd, on_event, &s);
	changed = s.changed;
	ctl = s.ctl;
	feeds = s.feeds;
	if (d->wd_data < 0)
		watch_data(d);
	if (d->wd_feeds < 0 && feeds)
		feeds_watch(d);
	if (changed)
		setup_reload_data(d);
	if (feeds)
		feeds_rescan(d);
	if (ctl)
		account_ctl(d);
}

int
setup_inotify(struct dnsd *d)
{
	d->inotify.fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (d->inotify.fd < 0)
		return -1;
	d->inotify.cb = inotify_event;
	/* The root tells us when data/ itself is created or renamed in. */
	d->wd_root = inotify_add_watch(d->inotify.fd, d->dm.root,
	    IN_CREATE | IN_MOVED_TO | IN_ONLYDIR);
	if (d->wd_root < 0)
		return -1;
	watch_data(d);
	feeds_watch(d);
	return watch_add(d, &d->inotify, EPOLLIN);
}
