/*
 * lists: validated changes to the three lists.  Each operation validates
 * completely before it stages anything, so a refused request leaves the
 * transaction as it was; the transaction applies the staged event to its
 * in-memory store at once, so limits and duplicates are checked against
 * everything staged before (an import sees its own earlier lines).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/entry.h"
#include "state/lists.h"

static const struct {
	enum rb_coll coll;
	const char *add, *del, *list_key;
	size_t max;
} lists[] = {
	[RB_LIST_DNS] = { RB_COLL_DNS, "dns_add", "dns_delete", "entries",
	    RB_DNS_MAX },
	[RB_LIST_BLACKLIST] = { RB_COLL_BLACKLIST, "blacklist_add",
	    "blacklist_delete", "blacklist", RB_BLACKLIST_MAX },
	[RB_LIST_ALLOWLIST] = { RB_COLL_ALLOWLIST, "allow_add", "allow_delete",
	    "allowlist", RB_ALLOWLIST_MAX },
};

enum rb_coll
rb_lists_coll(enum rb_list l)
{
	return lists[l].coll;
}

static int
validate(enum rb_list l, const json_t *req, json_t **entry, char **rrtext,
    struct rb_err *e)
{
	struct rb_rr rr;

	*rrtext = NULL;
	if (l == RB_LIST_BLACKLIST)
		return rb_entry_block(req, entry, e);
	if (l == RB_LIST_ALLOWLIST)
		return rb_entry_allow(req, entry, e);
	if (rb_entry_dns(req, entry, &rr, e) < 0)
		return -1;
	*rrtext = rr.text;
	rr.text = NULL;
	rb_rr_fini(&rr);
	return 0;
}

/* RFC 1034 3.6.2 (and RFC 2181 10.1): a name with a CNAME has no other
 * data, and one CNAME at most.  entry is the dns entry about to be
 * added; the records already at its owner decide. */
static int
cname_conflict(struct rb_txn *t, const json_t *entry, struct rb_err *e)
{
	char owner[1100];
	const char *type = json_string_value(json_object_get(entry, "type"));
	int cname = strcmp(type, "CNAME") == 0, clash = 0;
	json_t *ids, *id;
	size_t i;

	rb_coll_owner(entry, owner, sizeof owner);
	if ((ids = rb_coll_owner_ids(rb_store_view(&t->store, RB_COLL_DNS),
	         owner)) == NULL)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "out of memory");
	json_array_foreach (ids, i, id) {
		json_t *other = rb_store_find(&t->store, RB_COLL_DNS,
		    json_string_value(id));
		const char *ot = json_string_value(
		    json_object_get(other, "type"));

		if (ot != NULL && (cname || strcmp(ot, "CNAME") == 0))
			clash = 1;
	}
	json_decref(ids);
	if (!clash)
		return 0;
	return rb_err_set(e, RB_ERR_CONFLICT, "CNAME_CONFLICT",
	    cname ? "'%s' already has data: a CNAME must be alone at its name "
	            "(RFC 1034)" :
	            "'%s' has a CNAME: no other data may be at its name "
	            "(RFC 1034)",
	    json_string_value(json_object_get(entry, "name")));
}

int
rb_lists_add(struct rb_txn *t, enum rb_list l, const json_t *req, json_t **resp,
    struct rb_err *e)
{
	enum rb_coll c = lists[l].coll;
	json_t *entry = NULL;
	char *rrtext = NULL, key[2048];

	if (resp != NULL)
		*resp = NULL;
	if (validate(l, req, &entry, &rrtext, e) < 0)
		return -1;
	if ((size_t)rb_store_count(&t->store, c) >= lists[l].max) {
		rb_err_set(e, RB_ERR_REJECTED, "LIMIT_EXCEEDED",
		    "at most %zu entries are allowed", lists[l].max);
		goto fail;
	}
	rb_store_key(c, entry, key, sizeof key);
	if (rb_store_id_of(&t->store, c, key) != NULL) {
		rb_err_set(e, RB_ERR_CONFLICT, "ALREADY_EXISTS",
		    "'%.300s' is already listed", key);
		goto fail;
	}
	if (l == RB_LIST_DNS && cname_conflict(t, entry, e) < 0)
		goto fail;
	if (resp != NULL &&
	    ((*resp = json_pack("{s:s, s:O}", "status", "ok", "entry",
	          entry)) == NULL ||
	        (rrtext &&
	            json_object_set_new(*resp, "rr", json_string(rrtext)) <
	                0))) {
		rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR", "out of memory");
		goto fail;
	}
	free(rrtext);
	if (rb_txn_event(t, lists[l].add, entry, e) < 0) {
		if (resp != NULL) {
			json_decref(*resp);
			*resp = NULL;
		}
		return -1;
	}
	return 0;
fail:
	if (resp != NULL) {
		json_decref(*resp);
		*resp = NULL;
	}
	json_decref(entry);
	free(rrtext);
	return -1;
}

int
rb_lists_delete(struct rb_txn *t, enum rb_list l, const char *id, json_t **resp,
    struct rb_err *e)
{
	if (!rb_entry_is_uuid(id))
		return rb_err_set(e, RB_ERR_INVALID, "INVALID_ID",
		    "'%.64s' is not a UUID", id);
	if (rb_store_find(&t->store, lists[l].coll, id) == NULL)
		return rb_err_set(e, RB_ERR_NOT_FOUND, "NOT_FOUND",
		    "no entry with id %s", id);
	*resp = json_pack("{s:s, s:s}", "status", "ok", "deleted_id", id);
	if (*resp == NULL)
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "out of memory");
	if (rb_txn_event(t, lists[l].del, json_pack("{s:s}", "id", id), e) <
	    0) {
		json_decref(*resp);
		*resp = NULL;
		return -1;
	}
	return 0;
}

int
rb_lists_list(const char *root, enum rb_list l, char **text, size_t *len,
    struct rb_err *e)
{
	struct rb_store s;
	enum rb_coll c = lists[l].coll;
	char *body, head[64];
	size_t blen;
	int n;

	if (rb_txn_read(&s, root, 0, NULL, e) < 0)
		return -1;
	body = rb_coll_entries_text(rb_store_view(&s, c), &blen, e);
	n = snprintf(head, sizeof head, "],\"total\":%ld}",
	    rb_store_count(&s, c));
	rb_store_fini(&s);
	if (body == NULL)
		return -1;
	/* {"<key>":[ body ],"total":N} */
	*len = strlen(lists[l].list_key) + 5 + blen + (size_t)n;
	if ((*text = malloc(*len + 1)) == NULL) {
		free(body);
		return rb_err_set(e, RB_ERR_SYSTEM, "INTERNAL_ERROR",
		    "out of memory");
	}
	snprintf(*text, *len + 1, "{\"%s\":[%s%s", lists[l].list_key, body,
	    head);
	free(body);
	return 0;
}
