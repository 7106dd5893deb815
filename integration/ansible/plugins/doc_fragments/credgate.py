# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT
# Documentation shared by the credgate.device modules
# (extends_documentation_fragment), next to the argument specs they
# describe in module_utils/credgate.py.

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    # common_argument_spec(): every module.
    DOCUMENTATION = r'''
options:
  credgate:
    description: The credgate program on the device (a name looked up in C(PATH), or a path).
    type: str
    default: credgate
author:
  - credgate developers (@credgate)
'''

    # audit_argument_spec(): audit, and the audit half of migrate.
    AUDIT = r'''
options:
  root:
    description: Audit the file system under this directory (C(--root)) instead of the running system.
    type: path
  depth:
    description: Audit depth (C(--depth)); the device's C([audit]) configuration when not given.
    type: str
    choices: [fast, full]
  stores:
    description: Stores to audit instead of the configured ones, each C(TYPE:PATH) (C(--store)).
    type: list
    elements: str
    default: []
  defaults:
    description: Extra lists of factory default passwords on the device (C(--defaults)).
    type: list
    elements: path
    default: []
  no_builtin:
    description: Do not use the built-in password lists (C(--no-builtin)).
    type: bool
    default: false
  device_id:
    description: Device identifiers the derived tier tries, e.g. C(serial), C(mac) (C(--device-id KEY=VALUE)).
    type: dict
    default: {}
  allow_unknown:
    description: Do not count unknown hash methods as violations (C(--allow-unknown)).
    type: bool
    default: false
  threads:
    description: Worker threads (C(--threads)).
    type: int
  cache:
    description: Verdict cache file (C(--cache)).
    type: path
  no_cache:
    description: Neither read nor write the verdict cache (C(--no-cache)).
    type: bool
    default: false
'''
