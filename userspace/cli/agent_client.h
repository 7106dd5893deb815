/* SPDX-License-Identifier: MIT */
/* The CLI's questions to a running credgated over its Varlink socket. */
#ifndef CREDGATE_CLI_AGENT_CLIENT_H
#define CREDGATE_CLI_AGENT_CLIENT_H

#include <json-c/json.h>
#include <stdbool.h>

/* GetStatus's answer (caller puts it), or NULL with *why set (caller frees). */
json_object *agent_get_status(const char *socket, char **why);

/*
 * After a change to the stores: wait up to @ms for the agent's verdict
 * and print the gate's state on stderr.  Nothing when no agent answers at
 * @socket.  Returns true when the agent reports compliant.
 */
bool agent_wait_decision(const char *socket, int ms);

#endif
