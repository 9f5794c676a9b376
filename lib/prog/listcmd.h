#ifndef RB_PROG_LISTCMD_H
#define RB_PROG_LISTCMD_H

/*
 * The shared front end of rb-dns, rb-block and rb-allow: the same
 * subcommands (add, del, list, import) over the list each one names, JSON
 * on stdout, diagnostics on stderr, exit 0, 100 (bad input) or 111
 * (temporary failure).
 */

#include "state/lists.h"

/* Run the command; returns the exit code. */
int rb_listcmd_main(int argc, char **argv, enum rb_list l);

#endif
