#!/usr/bin/python
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: support
short_description: Security support period and disclosure contact of a device
description:
  - Runs C(credgate support --json) on the device (the agent's answer) and
    returns it as facts (C(credgate_support)).
  - When the agent does not answer, falls back to C(credgate support --offline --json),
    which reads the configuration and os-release itself (C(offline=auto)).
version_added: 0.2.0
extends_documentation_fragment:
  - credgate.device.credgate
options:
  socket:
    description: The agent's Varlink socket (C(--socket)).
    type: path
  offline:
    description:
      - C(auto) asks the agent and reads the files when it does not answer;
        C(always) only reads the files; C(never) only asks the agent.
    type: str
    choices: [auto, always, never]
    default: auto
  config:
    description: credgate.conf to read offline (C(--config)).
    type: path
  os_release:
    description: os-release to read offline (C(--os-release)).
    type: path
  state_dir:
    description: The agent's state directory, read offline (C(--state-dir)).
    type: path
attributes:
  check_mode:
    support: full
    description: Read-only.
'''

EXAMPLES = r'''
- name: Support period
  credgate.device.support:
  register: sup

- name: Warn a year before the end
  ansible.builtin.debug:
    msg: "support ends {{ sup.support_end }}"
  when: sup.days_left < 365
'''

RETURN = r'''
support_end:
  description: End of the security support period (YYYY-MM-DD), empty when none is published.
  returned: success
  type: str
days_left:
  description: Days until the support end (negative once it passed); null when none is published.
  returned: success
  type: int
source:
  description: C(agent) or C(offline), where the answer came from.
  returned: success
  type: str
support:
  description: The whole C(credgate support --json) report (support and disclosure).
  returned: success
  type: dict
ansible_facts:
  description: The same as C(credgate_support).
  returned: success
  type: dict
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.credgate.device.plugins.module_utils.credgate import (
    common_argument_spec, parse_json, run)


def main():
    spec = common_argument_spec()
    spec.update(socket=dict(type='path'),
                offline=dict(type='str', choices=['auto', 'always', 'never'], default='auto'),
                config=dict(type='path'),
                os_release=dict(type='path'),
                state_dir=dict(type='path'))
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    p = module.params
    rc, out, err, argv = 2, '', '', []
    source = 'agent'
    if p['offline'] != 'always':
        argv = ['support', '--json']
        if p['socket']:
            argv += ['--socket', p['socket']]
        rc, out, err = run(module, argv)
    if rc != 0 and p['offline'] != 'never':
        source = 'offline'
        argv = ['support', '--offline', '--json']
        for opt in ('config', 'os_release', 'state_dir'):
            if p[opt]:
                argv += ['--' + opt.replace('_', '-'), p[opt]]
        rc, out, err = run(module, argv)
    if rc != 0:
        module.fail_json(msg='credgate %s failed (exit %d): %s' % (' '.join(argv), rc, err.strip()[-2000:]),
                         rc=rc, stderr=err)
    rep = parse_json(module, argv, rc, out, err)
    sup = rep.get('support') or {}
    res = dict(support_end=sup.get('support_end', ''),
               days_left=sup.get('days_left') if sup.get('support_end') else None,
               supported=sup.get('supported'),
               source=source,
               support=rep)
    module.exit_json(changed=False, ansible_facts=dict(credgate_support=res), **res)


if __name__ == '__main__':
    main()
