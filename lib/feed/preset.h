#ifndef RB_FEED_PRESET_H
#define RB_FEED_PRESET_H

/*
 * The built-in feed presets (GET /feeds/presets, `rb-feed presets`):
 * well-known public blocklists with their real URLs, formats and default
 * actions, as Runbound lists them (inventory.md 1.1.5).
 */

#include <jansson.h>

/* {"presets":[{"name","url","format","action","description"}],"total":N}
 * as a new reference, or NULL when out of memory. */
json_t *rb_feed_preset_all(void);

#endif
