#ifndef RB_BASE_UUID_H
#define RB_BASE_UUID_H

/*
 * UUID version 4 ids for entries and journal epochs, from the kernel's
 * CSPRNG.
 */

/* Write a new random UUID in lower-case canonical text (36 characters and
 * a NUL).  Returns -1 only when the kernel gives no randomness. */
int rb_uuid_v4(char out[37]);

/* Is s a UUID in canonical text form (any version)? */
int rb_uuid_valid(const char *s);

#endif
