/* SPDX-License-Identifier: MIT */
/*
 * Device identifiers (MAC addresses, serial numbers, hostname, model, SSID)
 * and the passwords trivially derived from them.
 */
#ifndef CREDGATE_DERIVE_H
#define CREDGATE_DERIVE_H

#include <stddef.h>

#include "audit/dict.h"

enum device_id_kind {
	DEVID_MAC,
	DEVID_SERIAL,
	DEVID_HOSTNAME,
	DEVID_MODEL,
	DEVID_SSID,
	_DEVID_MAX,
};

struct device_id {
	enum device_id_kind kind;
	char *value;
	char *source;	/* "eth0", "--device-id", "/proc/device-tree/serial-number" */
};

struct device_ids {
	struct device_id *v;
	size_t n;
};

const char *device_id_kind_name(enum device_id_kind kind);
int device_id_kind_from_name(const char *name, enum device_id_kind *out);

/* Add an identifier (copied); placeholders such as "To be filled by O.E.M." are ignored. */
int device_ids_add(struct device_ids *ids, enum device_id_kind kind, const char *value,
		   const char *source);
/* Parse "KEY=VALUE" (--device-id). */
int device_ids_add_arg(struct device_ids *ids, const char *arg);
/* The running system: /sys/class/net, device tree, DMI, hostname, hostapd. */
int device_ids_probe_live(struct device_ids *ids);
/* An unpacked rootfs: /etc/hostname and hostapd's ssid inside @root. */
int device_ids_probe_tree(struct device_ids *ids, const char *root);
void device_ids_clear(struct device_ids *ids);

/* Add the CAND_DERIVED candidates of every identifier to @d. */
int derive_add_candidates(struct dict *d, const struct device_ids *ids);

#endif
