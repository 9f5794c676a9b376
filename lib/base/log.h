#ifndef RB_BASE_LOG_H
#define RB_BASE_LOG_H

/*
 * One line per event on stderr: "prog: level: message".  No timestamps
 * (s6-log adds them), no syslog.  rb_log_init names the program once.
 */

enum rb_log_level {
	RB_LOG_FATAL,
	RB_LOG_ERROR,
	RB_LOG_WARNING,
	RB_LOG_INFO,
	RB_LOG_DEBUG
};

/* Name the program (borrowed; must outlive logging) and the verbosity. */
void rb_log_init(const char *prog, int debug);

void rb_log(enum rb_log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define rb_error(...) rb_log(RB_LOG_ERROR, __VA_ARGS__)
#define rb_warn(...) rb_log(RB_LOG_WARNING, __VA_ARGS__)
#define rb_info(...) rb_log(RB_LOG_INFO, __VA_ARGS__)
#define rb_debug(...) rb_log(RB_LOG_DEBUG, __VA_ARGS__)

/* Log at fatal level and exit with code (100 permanent, 111 temporary). */
void rb_die(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

#endif
