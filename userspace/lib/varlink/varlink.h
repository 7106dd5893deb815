/* SPDX-License-Identifier: MIT */
/*
 * A small Varlink server (https://varlink.org): JSON objects terminated by
 * a NUL byte over a Unix stream socket.  Serves org.varlink.service itself
 * and dispatches other interfaces to registered method tables.
 *
 * The server owns an epoll fd of its own (vl_server_fd()); a main loop
 * watches that one fd for EPOLLIN and calls vl_server_process(), so the
 * server nests into any event loop.  Everything is non-blocking: a slow or
 * hostile client can neither stall other clients nor grow memory beyond
 * the limits below.
 */
#ifndef CREDGATE_VARLINK_H
#define CREDGATE_VARLINK_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Standard errors of org.varlink.service. */
#define VL_ERROR_INTERFACE_NOT_FOUND	"org.varlink.service.InterfaceNotFound"
#define VL_ERROR_METHOD_NOT_FOUND	"org.varlink.service.MethodNotFound"
#define VL_ERROR_INVALID_PARAMETER	"org.varlink.service.InvalidParameter"
/*
 * Transport errors Varlink leaves to the service.  The server names them
 * after the first interface added to it (vl_server_add_interface()), which
 * must declare them in its IDL so a client can look them up:
 * io.credgate.Device.varlink does, so credgated answers
 * io.credgate.Device.ProtocolError and so on.
 */
#define VL_ERROR_PROTOCOL		"ProtocolError"
#define VL_ERROR_TOO_LARGE		"MessageTooLarge"
#define VL_ERROR_TOO_MANY_CLIENTS	"TooManyConnections"
#define VL_ERROR_INTERNAL		"InternalError"

/* The interface credgated serves (userspace/lib/varlink/io.credgate.Device.varlink). */
#define CG_DEVICE_INTERFACE		"io.credgate.Device"

#define VL_DEFAULT_MAX_MESSAGE		(64 * 1024)
#define VL_DEFAULT_MAX_CLIENTS		64
#define VL_DEFAULT_IDLE_TIMEOUT_MS	60000
#define VL_DEFAULT_MAX_DEPTH		16

struct vl_server;
struct vl_call;

/*
 * A method answers with exactly one vl_reply() or vl_error() and returns
 * 0; a negative return without an answer becomes InternalError.
 * @params is the request's "parameters" object (never NULL).
 */
typedef int (*vl_method_fn)(struct vl_call *call, json_object *params, void *userdata);

struct vl_method {
	const char *name;		/* "GetSupport" */
	vl_method_fn fn;
};

struct vl_interface {
	const char *name;		/* "io.credgate.Device" */
	const char *description;	/* Varlink IDL text */
	const struct vl_method *methods;
	size_t n_methods;
};

struct vl_limits {
	size_t max_message;		/* bytes, without the NUL */
	unsigned int max_clients;
	unsigned int max_clients_per_uid;	/* 0: no per-user limit; root never limited */
	unsigned int root_reserve;		/* of max_clients, slots only root may take */
	unsigned int idle_timeout_ms;	/* no complete request for this long */
	int max_depth;			/* JSON nesting */
};

/* What org.varlink.service.GetInfo reports. */
struct vl_service_info {
	const char *vendor, *product, *version, *url;
};

/* @limits may be NULL (defaults above); @info strings must outlive the server. */
int vl_server_new(struct vl_server **out, const struct vl_limits *limits,
		  const struct vl_service_info *info);
void vl_server_free(struct vl_server *s);

/* @iface and @userdata must outlive the server. */
int vl_server_add_interface(struct vl_server *s, const struct vl_interface *iface,
			    void *userdata);

/* Bind and listen on @path (a stale socket there is replaced) with @mode. */
int vl_server_listen(struct vl_server *s, const char *path, mode_t mode);

/* The fd to watch for EPOLLIN in the caller's loop. */
int vl_server_fd(const struct vl_server *s);

/* Handle pending events, waiting at most @timeout_ms (-1: forever). */
int vl_server_process(struct vl_server *s, int timeout_ms);

/*
 * Answer one request (@msg, @len bytes, no NUL) as a connection would:
 * *reply gets the reply text without the NUL (caller frees), or NULL for
 * a oneway call.  The core of the server, exposed for the fuzz target.
 */
int vl_server_dispatch(struct vl_server *s, const char *msg, size_t len,
		       char **reply, size_t *reply_len);

/*
 * A JSON string for text read from a store (a user name): as it is when it
 * is well-formed UTF-8, else with every byte that is not written as \xHH
 * (cg_escape_controls()), since JSON must be UTF-8.  NULL: out of memory.
 */
json_object *vl_json_text(const char *s);

/* Answers, for method implementations.  Both take ownership of @params
 * (may be NULL: empty object). */
int vl_reply(struct vl_call *call, json_object *params);
int vl_error(struct vl_call *call, const char *error, json_object *params);
int vl_error_invalid_parameter(struct vl_call *call, const char *parameter);

/*
 * Who is calling: the peer's uid and gid as SO_PEERCRED gave them at
 * accept; -ENOTCONN for a call that has no connection (vl_server_dispatch()).
 */
int vl_call_peer(const struct vl_call *call, uid_t *uid, gid_t *gid);
/* Is @gid the peer's primary or a supplementary group (SO_PEERGROUPS)?
 * false when that cannot be known. */
bool vl_call_peer_in_group(const struct vl_call *call, gid_t gid);

/* Parameter checking: every key of @params must be in @spec, of its type,
 * and every required one present.  On failure, answers InvalidParameter
 * and returns -EINVAL. */
struct vl_param {
	const char *name;
	json_type type;
	bool required;
};
int vl_params_check(struct vl_call *call, json_object *params,
		    const struct vl_param *spec, size_t n);

/* ---- client (credgate CLI) ---------------------------------------------- */

/* Connect to a Varlink socket; a call waits at most @timeout_ms. */
int vl_client_connect(const char *path, int timeout_ms);

/*
 * Call @method with @params (borrowed; NULL: none).  On a reply,
 * *out holds its parameters (caller puts) and 0 is returned; on a Varlink
 * error, *error holds the error name (caller frees), *out its parameters,
 * and -EBADMSG is returned; -errno on transport failure.
 */
int vl_client_call(int fd, const char *method, json_object *params,
		   json_object **out, char **error);

#endif
