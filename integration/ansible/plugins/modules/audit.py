#!/usr/bin/python
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: audit
short_description: Audit the credential stores of a device with credgate
description:
  - Runs C(credgate audit --json --redact) on the device and returns the
    report as facts (C(credgate_audit)).
  - Never returns a password or a hash. C(--redact) keeps even a public
    factory default out of the details; with a credgate too old for it the
    details are dropped.
  - Read-only; reports C(changed=false).
version_added: 0.2.0
extends_documentation_fragment:
  - credgate.device.credgate
  - credgate.device.credgate.audit
attributes:
  check_mode:
    support: full
    description: Runs the same read-only audit.
notes:
  - The device needs credgate; role C(credgate.device.agent) installs it.
'''

EXAMPLES = r'''
- name: Audit the device
  credgate.device.audit:
    depth: full
  register: audit

- name: Audit an image tree on the build host
  credgate.device.audit:
    root: /srv/images/rootfs
'''

RETURN = r'''
compliant:
  description: Whether no account holds a violation (credgate audit exit 0).
  returned: success
  type: bool
violations:
  description: Number of violating accounts per verdict (blank, default, derived, sequential, common, unknown, noauth).
  returned: success
  type: dict
violations_total:
  description: Number of violating accounts.
  returned: success
  type: int
accounts:
  description: Every audited account with store, line, user, verdict and detail (no password, no hash).
  returned: success
  type: list
  elements: dict
redacted:
  description: Whether credgate redacted the details itself (C(--redact)).
  returned: success
  type: bool
exit_status:
  description: Exit status of credgate audit (0 compliant, 1 violations found).
  returned: success
  type: int
ansible_facts:
  description: The same report as C(credgate_audit).
  returned: success
  type: dict
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.credgate.device.plugins.module_utils.credgate import (
    audit_argument_spec, common_argument_spec, run_audit)


def main():
    spec = common_argument_spec()
    spec.update(audit_argument_spec())
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    report, rc = run_audit(module)
    module.exit_json(changed=False, exit_status=rc, ansible_facts=dict(credgate_audit=report), **report)


if __name__ == '__main__':
    main()
