#ifndef RB_PROG_USAGE_H
#define RB_PROG_USAGE_H

/*
 * usage: what every program does with its usage text (doc/exit-codes.md).
 * -h and --help print it on stdout and succeed, so that `rb-dns -h | less`
 * works; a usage error prints the same text on stderr and exits 100.  The
 * text starts "usage: <program> ", so it names the program however it
 * was invoked.
 */

/* getopt_long over spec (getopt's syntax; spec should hold 'h') with
 * --help returned as 'h'.  The same optind, optarg and messages. */
int rb_usage_getopt(int argc, char *const argv[], const char *spec);

/* Print text (borrowed): on stdout when help, returning 0 (111 when stdout
 * cannot be written); else on stderr, returning 100.  The caller exits
 * with what it returns. */
int rb_usage_print(const char *text, int help);

#endif
