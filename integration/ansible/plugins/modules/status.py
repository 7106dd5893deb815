#!/usr/bin/python
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: status
short_description: Gate and agent status of a device running credgate
description:
  - Runs C(credgate status --json) on the device and returns it as facts
    (C(credgate_status)), with the gate state, backend and mode picked out.
  - A device whose agent does not answer is reported (C(agent_running=false)),
    not failed, so that a fleet report lists it; the module fails only when
    credgate gives no report at all.
  - The agent names violating accounts (user, store, verdict) only to root
    and its C(status_group); never a password or hash.
version_added: 0.2.0
extends_documentation_fragment:
  - credgate.device.credgate
options:
  socket:
    description: The agent's Varlink socket (C(--socket)); the configured one when not given.
    type: path
  backend:
    description: Gate backend to ask (C(--backend)).
    type: str
    choices: [auto, lsm, bpf]
attributes:
  check_mode:
    support: full
    description: Read-only.
'''

EXAMPLES = r'''
- name: Gate state
  credgate.device.status:
  register: st

- name: Stop when the gate is closed
  ansible.builtin.assert:
    that: st.gate == 'open'
'''

RETURN = r'''
gate:
  description: Gate state (open, closed, unknown; unknown without a kernel gate).
  returned: success
  type: str
backend:
  description: Gate backend the agent uses (lsm, bpf, none), or the CLI's when no agent answers.
  returned: success
  type: str
mode:
  description: Gate mode (enforce, permissive), when known.
  returned: success
  type: str
compliant:
  description: Whether the agent reports no violation (false when no agent answers).
  returned: success
  type: bool
agent_running:
  description: Whether the agent answered.
  returned: success
  type: bool
status:
  description: The whole C(credgate status --json) report.
  returned: success
  type: dict
exit_status:
  description: Exit status of credgate status (0 no violation known, 1 violations, 2 neither the agent nor the gate answered).
  returned: success
  type: int
ansible_facts:
  description: The same as C(credgate_status).
  returned: success
  type: dict
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.credgate.device.plugins.module_utils.credgate import (
    common_argument_spec, parse_json, run)


def main():
    spec = common_argument_spec()
    spec.update(socket=dict(type='path'),
                backend=dict(type='str', choices=['auto', 'lsm', 'bpf']))
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    argv = ['status', '--json']
    if module.params['socket']:
        argv += ['--socket', module.params['socket']]
    if module.params['backend']:
        argv += ['--backend', module.params['backend']]
    rc, out, err = run(module, argv)
    st = parse_json(module, argv, rc, out, err)
    agent = st.get('agent') or {}
    gate = st.get('gate') or {}
    for v in agent.get('violations') or []:
        for k in list(v):
            if k not in ('user', 'store', 'verdict'):
                del v[k]
    res = dict(
        agent_running=bool(st.get('agent_running')),
        gate=agent.get('gate') or gate.get('state') or 'unknown',
        backend=agent.get('backend') or gate.get('backend') or 'none',
        mode=agent.get('mode') or gate.get('mode') or '',
        compliant=bool(agent.get('compliant')) and rc == 0,
        last_audit=agent.get('last_audit', ''),
        status=st,
    )
    module.exit_json(changed=False, exit_status=rc, ansible_facts=dict(credgate_status=res), **res)


if __name__ == '__main__':
    main()
