// SPDX-License-Identifier: GPL-2.0-only
/* org.gvtd1.Manager members for the REST API's tokens (AddToken, ListTokens, RevokeToken). */
#include <errno.h>

#include "dbus.h"
#include "manager.h"
#include "tokens.h"

/* Reads "b interactive" after the arguments and asks for org.gvtd1.manage-tokens: 1 allowed, 0 answered. */
static int authorize(BusAdapter *b, sd_bus_message *message, BusCaller *caller, sd_bus_error *error)
{
	int interactive, r;

	r = sd_bus_message_read(message, "b", &interactive);
	if (r < 0)
		return r;
	r = bus_caller_get(message, caller);
	if (r < 0)
		return r;
	return bus_authorize(&b->calls, message, &caller->caller, ACTION_MANAGE_TOKENS, interactive, error);
}

int bus_method_add_token(sd_bus_message *message, void *userdata, sd_bus_error *error)
{
	_cleanup_(bus_caller_done) BusCaller caller = {};
	_cleanup_free_ char *token = NULL;
	BusAdapter *b = userdata;
	const char *owner, *role;
	char id[TOKEN_ID_LEN + 1];
	GvtError e = {};
	int r;

	r = sd_bus_message_read(message, "ss", &owner, &role);
	if (r < 0)
		return r;
	r = authorize(b, message, &caller, error);
	if (r <= 0)
		return r < 0 ? r : 1;
	r = tokens_add(b->calls.manager, owner, role, &token, id, &e);
	if (r < 0)
		return bus_error_from_gvt(error, r, &e);
	return sd_bus_reply_method_return(message, "ss", id, token);
}

int bus_method_list_tokens(sd_bus_message *message, void *userdata, sd_bus_error *error)
{
	_cleanup_(bus_caller_done) BusCaller caller = {};
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	BusAdapter *b = userdata;
	const Tokens *t = &b->calls.manager->tokens;
	int r;

	r = authorize(b, message, &caller, error);
	if (r <= 0)
		return r < 0 ? r : 1;
	r = sd_bus_message_new_method_return(message, &reply);
	if (r >= 0)
		r = sd_bus_message_open_container(reply, 'a', "(sss)");
	for (size_t i = 0; r >= 0 && i < t->n_tokens; i++) {
		char id[TOKEN_ID_LEN + 1];

		token_id(&t->tokens[i], id);
		r = sd_bus_message_append(reply, "(sss)", id, t->tokens[i].owner, role_to_string(t->tokens[i].role));
	}
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	if (r < 0)
		return r;
	return sd_bus_send(NULL, reply, NULL);
}

int bus_method_revoke_token(sd_bus_message *message, void *userdata, sd_bus_error *error)
{
	_cleanup_(bus_caller_done) BusCaller caller = {};
	BusAdapter *b = userdata;
	const char *id;
	GvtError e = {};
	int r;

	r = sd_bus_message_read(message, "s", &id);
	if (r < 0)
		return r;
	r = authorize(b, message, &caller, error);
	if (r <= 0)
		return r < 0 ? r : 1;
	r = tokens_revoke(b->calls.manager, id, &e);
	if (r < 0)
		return bus_error_from_gvt(error, r, &e);
	return sd_bus_reply_method_return(message, NULL);
}
