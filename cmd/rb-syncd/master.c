/*
 * master: the HTTPS side of rb-syncd.
 *
 * Set-up: the TLS identity (made on first start), the journal (created
 * under the store lock if the root has none, so there is an epoch to
 * serve), the listener on sync-port at sync-interface (by default the
 * first address of interface:, else loopback), an inotify watch on journal/
 * and on the root (to see a wiped journal come back), readiness.
 *
 * Connections are counted by lib/http/conns: CONN_MAX at once, SOURCE_MAX
 * from one address, and REQUEST_MS from the accept (TLS handshake
 * included) or the last answer to send a whole request, so that no peer
 * of the sync port can hold every slot while slaves wait.  Signals come
 * through the daemon skeleton (lib/prog/daemon): SIGTERM answers every
 * long poll at once, stops accepting and leaves the loop within a second
 * (at once when no connection is left); SIGHUP re-reads runbound.conf (a
 * new sync-key applies at once: key rotation).
 */

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <openssl/ssl.h>

#include "base/log.h"
#include "base/path.h"
#include "base/uuid.h"
#include "state/txn.h"
#include "sync/state.h"
#include "sys/atomic.h"
#include "sys/file.h"
#include "sys/inotify.h"
#include "sys/root.h"

#include "master.h"

static struct bufferevent *
new_bev(struct event_base *base, void *arg)
{
	struct master *m = arg;
	SSL *ssl = SSL_new(m->tls.ctx);
	struct bufferevent *bev;

	if (ssl == NULL)
		return rb_http_conns_refuse(&m->conns, base);
	bev = bufferevent_openssl_socket_new(base, -1, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		SSL_free(ssl);
		return rb_http_conns_refuse(&m->conns, base);
	}
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	return rb_http_conns_add(&m->conns, bev);
}

static int
listen_https(struct master *m)
{
	struct evhttp_bound_socket *bound;

	if ((m->http = evhttp_new(m->d->dm.base)) == NULL)
		return -1;
	evhttp_set_allowed_methods(m->http,
	    EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST |
	        EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_PATCH |
	        EVHTTP_REQ_OPTIONS);
	evhttp_set_max_headers_size(m->http, 16384);
	evhttp_set_max_body_size(m->http, 4096);
	evhttp_set_timeout(m->http, HTTP_TIMEOUT);
	evhttp_set_gencb(m->http, serve_request, m);
	evhttp_set_bevcb(m->http, new_bev, m);
	bound = evhttp_bind_socket_with_handle(m->http,
	    rb_conf_sync_addr(m->d->dm.conf),
	    (ev_uint16_t)m->d->dm.conf->sync_port);
	if (bound == NULL)
		return -1;
	rb_http_conns_listen(&m->conns, bound);
	return 0;
}

/* --- the journal watch ------------------------------------------------ */

static void
watch_journal(struct master *m)
{
	char dir[RB_PATH_MAX];

	rb_path(dir, sizeof dir, "%s/journal", m->d->dm.root);
	m->wd_journal = inotify_add_watch(m->inofd, dir,
	    IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF |
	        IN_ONLYDIR);
}

/* A root that was a replica (its slave state, ROOT/sync/state, is
 * there) and now serves as master: its journal carries the old master's
 * epoch, so another replica of that master, whose events past the
 * common seq differ, would take this history for its own and never
 * notice.  A new epoch sends every slave to a full sync; then the slave
 * state goes.  Killed in between, the next start does it again, which
 * costs slaves one more full sync.  Under the store lock (t). */
static void
leave_replica(struct master *m, struct rb_txn *t)
{
	char state[RB_PATH_MAX], epoch[37];
	struct rb_err e = { 0 };

	if (rb_sync_state_path(m->d->dm.root, RB_SYNC_STATE, state,
	        sizeof state) < 0 ||
	    access(state, F_OK) < 0)
		return;
	if (rb_uuid_v4(epoch) < 0 ||
	    rb_journal_reset(&t->journal, epoch, &e) < 0) {
		rb_error("this root was a replica, and its journal cannot "
		         "start a new epoch: %s",
		    e.details[0] ? e.details : strerror(errno));
		return;
	}
	if (unlink(state) < 0 || rb_file_dir_sync(state, 0) < 0)
		rb_warn("unable to remove %s: %s", state, strerror(errno));
	rb_info("this root was a replica: new journal epoch, so that every "
	        "slave takes a full sync");
}

/* Under the store lock, as any writer: a root without a journal (new, or
 * wiped) gets one with a new epoch, so slaves see the change, and so does
 * a replica promoted to master (leave_replica). */
void
master_reinit_journal(struct master *m)
{
	struct rb_txn t;
	struct rb_err e = { 0 };

	if (rb_txn_begin(&t, m->d->dm.root, &e) < 0) {
		rb_error("unable to open the journal: %s: %s", e.code,
		    e.details);
		return;
	}
	leave_replica(m, &t);
	rb_info("journal epoch=%s seq=%llu", t.journal.epoch,
	    (unsigned long long)(t.next - 1));
	rb_txn_end(&t);
	if (m->wd_journal < 0)
		watch_journal(m);
}

static void
reinit_cb(evutil_socket_t fd, short what, void *arg)
{
	struct master *m = arg;

	master_reinit_journal(m);
	serve_wake(m);
}

/* One event of the journal watch; m->changed when slaves may be owed
 * something. */
static void
on_journal_event(void *arg, const struct inotify_event *ev)
{
	struct master *m = arg;
	struct timeval soon = { 0, 100000 };

	if (ev->wd == m->wd_journal &&
	    (ev->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF))) {
		m->wd_journal = -1;
		evtimer_add(m->reinit_ev, &soon);
	} else if (ev->wd == m->wd_root && ev->len > 0 &&
	    strcmp(ev->name, "journal") == 0) {
		if (m->wd_journal < 0)
			watch_journal(m);
		m->changed = 1;
	} else if (ev->wd == m->wd_journal || (ev->mask & IN_Q_OVERFLOW)) {
		m->changed = 1;
	}
}

static void
on_inotify(evutil_socket_t fd, short what, void *arg)
{
	struct master *m = arg;

	m->changed = 0;
	(void)rb_inotify_each(m->inofd, on_journal_event, m);
	if (m->changed)
		serve_wake(m);
}

static int
watch_setup(struct master *m)
{
	m->inofd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (m->inofd < 0)
		return -1;
	m->wd_root = inotify_add_watch(m->inofd, m->d->dm.root,
	    IN_CREATE | IN_MOVED_TO | IN_ONLYDIR);
	watch_journal(m);
	if (m->wd_root < 0 || m->wd_journal < 0)
		return -1;
	m->ino_ev = event_new(m->d->dm.base, m->inofd, EV_READ | EV_PERSIST,
	    on_inotify, m);
	return m->ino_ev == NULL ? -1 : event_add(m->ino_ev, NULL);
}

/* --- signals -------------------------------------------------------- */

/* SIGTERM: every long poll answered now, no new connections; the
 * skeleton waits (a second at most) for the replies in flight. */
static void
on_term(struct rb_daemon *dm, void *arg)
{
	struct master *m = arg;

	rb_info("answering long polls and exiting");
	rb_http_conns_drain(&m->conns);
	serve_flush(m);
}

static size_t
connections(void *arg)
{
	const struct master *m = arg;

	return m->conns.n;
}

static void
on_hup(struct rb_daemon *dm, void *arg)
{
	struct master *m = arg;
	struct rb_conf *c = rb_daemon_config_again(dm);

	if (c == NULL)
		return;
	if (c->mode == RB_MODE_SLAVE) {
		rb_info("SIGHUP: mode is now slave: exiting to restart as one");
		rb_conf_free(c);
		rb_daemon_stop(dm);
		return;
	}
	if (c->sync_key == NULL || c->sync_key[0] == '\0') {
		rb_warn("SIGHUP: sync-key removed; keeping the running one");
		rb_conf_free(c);
		return;
	}
	if (c->sync_port != m->d->dm.conf->sync_port)
		rb_warn("sync-port %d takes effect at the next start",
		    c->sync_port);
	if (strcmp(rb_conf_sync_addr(c), rb_conf_sync_addr(m->d->dm.conf)) != 0)
		rb_warn("sync-interface %s takes effect at the next start",
		    rb_conf_sync_addr(c));
	/* Long polls authorised with the old key end now, empty: after a
	 * rotation nothing new reaches a holder of the old key. */
	if (strcmp(c->sync_key, m->d->dm.conf->sync_key) != 0)
		serve_flush(m);
	serve_set_key(m, c->sync_key);
	rb_daemon_use_conf(dm, c);
	rb_info("SIGHUP: reloaded runbound.conf (sync-key applies now)");
}

/* --- lifetime --------------------------------------------------------- */

static void
setup(struct master *m)
{
	struct rb_daemon_hooks hooks = { .stop = on_term,
		.reload = on_hup,
		.pending = connections,
		.arg = m };
	struct rb_err e = { 0 };

	rb_daemon_loop(&m->d->dm, &hooks);
	m->d->dm.drain_ms = 1000;
	if (rb_sync_tls_server(&m->tls, m->d->dm.root, &e) < 0)
		rb_die(111, "%s", e.details);
	serve_set_key(m, m->d->dm.conf->sync_key);
	m->wd_journal = m->wd_root = -1;
	master_reinit_journal(m);
	if (rb_http_conns_init(&m->conns, m->d->dm.base, CONN_MAX, SOURCE_MAX,
	        REQUEST_MS) < 0 ||
	    (m->reinit_ev = evtimer_new(m->d->dm.base, reinit_cb, m)) == NULL)
		rb_die(111, "unable to set up libevent");
	if (watch_setup(m) < 0)
		rb_die(111, "unable to watch %s/journal: %s", m->d->dm.root,
		    strerror(errno));
	if (listen_https(m) < 0)
		rb_die(111, "unable to listen on %s port %d: %s",
		    rb_conf_sync_addr(m->d->dm.conf), m->d->dm.conf->sync_port,
		    strerror(errno));
}

int
master_run(struct syncd *d)
{
	static struct master m;

	m.d = d;
	setup(&m);
	if (m.tls.created)
		rb_info("generated sync/sync-cert.pem and sync/sync-key.pem "
		        "(10 years)");
	rb_info("Sync HTTPS server starting  port=%d  sha256=%s  address=%s",
	    d->dm.conf->sync_port, m.tls.fp, rb_conf_sync_addr(d->dm.conf));
	rb_daemon_ready(&d->dm, NULL);
	rb_daemon_run(&d->dm);
	serve_flush(&m);
	rb_http_conns_drain(&m.conns);
	evhttp_free(m.http); /* closes (and counts out) every connection */
	rb_http_conns_fini(&m.conns);
	event_free(m.ino_ev);
	event_free(m.reinit_ev);
	(void)close(m.inofd); /* read-only use */
	rb_sync_tls_fini(&m.tls);
	return rb_daemon_exit(&d->dm);
}
