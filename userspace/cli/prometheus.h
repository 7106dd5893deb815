/* SPDX-License-Identifier: MIT */
/* credgate status --prometheus (prometheus.c). */
#ifndef CREDGATE_CLI_PROMETHEUS_H
#define CREDGATE_CLI_PROMETHEUS_H

#include <json-c/json.h>

#include "gate/gate.h"

/*
 * Print the metrics of base/prometheus.h from the agent's GetStatus
 * answer @agent (NULL: not running) and the gate's status @st (NULL: not
 * readable); the support period is asked from the agent at @socket.
 */
int status_print_prometheus(json_object *agent, const char *socket, const struct gate_status *st);

#endif
