#!/usr/bin/python
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: migrate
short_description: Move the offending accounts of a device to unique passwords
description:
  - Runs C(credgate migrate) on the device. Every account whose audit verdict
    is a violation gets a new random password (C(policy=random)), must define
    its own before the next use (C(user)) or is locked (C(lock)).
  - With C(policy=random) credgate writes the new passwords into a file in a
    private temporary directory on the device (in C(/run), a tmpfs on most
    systems, when writable; mode 0700, the file 0600). The
    module reads them back, overwrites and deletes the file and returns them
    in C(credentials). They exist nowhere else on the device.
  - The task B(must) set C(no_log=true) with C(policy=random), or the module
    refuses before changing anything. The result carries the new passwords,
    and C(no_log) keeps them out of the output, the callbacks and the log
    while the registered variable still holds them, for the next task to write
    them to a controller file (mode 0600) or into Ansible Vault
    (playbooks/migrate.yml).
  - In check mode runs the audit only and reports which accounts would change.
version_added: 0.2.0
extends_documentation_fragment:
  - credgate.device.credgate
  - credgate.device.credgate.audit
options:
  policy:
    description: What happens to an offending account (C(--policy)).
    type: str
    choices: [random, user, lock]
    default: random
  users:
    description: Only these accounts (C(--user)); all offending ones when empty.
    type: list
    elements: str
    default: []
  hash_method:
    description: Hash method prefix for the new hashes (C(--hash-method)), e.g. C($y$).
    type: str
  socket:
    description: The agent's socket, told to audit again at once (C(--socket)).
    type: path
  per_device:
    description:
      - C(root) is one device's own file system, never an image (C(--per-device)).
        credgate refuses C(policy=random) with C(root) without it.
    type: bool
    default: false
  root:
    description: Migrate the file system under this directory (C(--root)).
    type: path
  depth:
    description: Audit depth (C(--depth)).
    type: str
    choices: [fast, full]
attributes:
  check_mode:
    support: full
    description: Audits and reports the accounts that would change; changes nothing.
notes:
  - The passwords travel from the device to the controller inside the
    connection (SSH); they are never on the device's disk after the module
    returns, and never in its output unless the task drops C(no_log).
'''

EXAMPLES = r'''
- name: New random passwords for every offending account
  credgate.device.migrate:
    policy: random
  register: migrated
  no_log: true

- name: Keep them on the controller only (mode 0600)
  ansible.builtin.copy:
    content: "{{ {'credgate_credentials': migrated.credentials} | to_nice_yaml }}"
    dest: "credentials/{{ inventory_hostname }}.yml"
    mode: "0600"
  delegate_to: localhost
  no_log: true
  when: migrated.changed
'''

RETURN = r'''
changed:
  description: Whether any account was (or in check mode would be) changed.
  returned: always
  type: bool
accounts:
  description: The accounts migrated (store, user, verdict before), without passwords.
  returned: success
  type: list
  elements: dict
credentials:
  description:
    - The new passwords (C(policy=random)), each with store, user and password;
      a service store's secret (snmpd, hostapd, ...) also with line and what
      (C(community string), C(WPA passphrase), ...).
      Only ever seen with C(no_log), which the module requires for it.
  returned: success, policy random, not check mode
  type: list
  elements: dict
audit:
  description: The audit after the migration (C(compliant), C(violations) by verdict); no passwords.
  returned: success, not check mode
  type: dict
'''

import os
import shutil
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.credgate.device.plugins.module_utils.credgate import (
    EXIT_OK, audit_args, audit_argument_spec, common_argument_spec, run, run_audit)


def read_credentials(path):
    creds = []
    with open(path, 'r') as f:
        for line in f:
            line = line.rstrip('\n')
            if not line:
                continue
            parts = line.split('\t')
            if len(parts) == 3:
                creds.append(dict(store=parts[0], user=parts[1], password=parts[2]))
            elif len(parts) == 5:
                # A service store's secret: its line and what it is (docs/migration.md).
                creds.append(dict(store=parts[0], user=parts[1], line=int(parts[2]),
                                  what=parts[3], password=parts[4]))
            else:
                raise ValueError('credentials file: a line without three or five fields')
    return creds


def shred(path):
    """Overwrite PATH with zeros before unlinking it (best effort on flash)."""
    try:
        size = os.path.getsize(path)
        with open(path, 'r+b') as f:
            f.write(b'\0' * size)
            f.flush()
            os.fsync(f.fileno())
    except OSError:
        pass
    try:
        os.unlink(path)
    except OSError:
        pass


def main():
    spec = common_argument_spec()
    spec.update(audit_argument_spec())
    spec.update(policy=dict(type='str', choices=['random', 'user', 'lock'], default='random'),
                users=dict(type='list', elements='str', default=[]),
                hash_method=dict(type='str'),
                socket=dict(type='path'),
                per_device=dict(type='bool', default=False))
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    p = module.params

    if p['policy'] == 'random' and not module.no_log:
        module.fail_json(msg='credgate.device.migrate with policy random returns the new passwords: '
                             'set "no_log: true" on the task (nothing was changed)')

    before, _ = run_audit(module)
    wanted = set(p['users'])
    offending = [dict(store=a.get('store'), user=a.get('user'), verdict=a.get('verdict'))
                 for a in before['accounts']
                 if a.get('verdict') not in ('ok', 'locked') and (not wanted or a.get('user') in wanted)]
    if not offending:
        module.exit_json(changed=False, accounts=[], credentials=[], audit=before)
    if module.check_mode:
        module.exit_json(changed=True, accounts=offending)

    argv = ['migrate', '--policy', p['policy'], '--quiet'] + audit_args(p)
    for u in p['users']:
        argv += ['--user', u]
    if p['hash_method']:
        argv += ['--hash-method', p['hash_method']]
    if p['socket']:
        argv += ['--socket', p['socket']]
    if p['per_device']:
        argv.append('--per-device')

    tmp = None
    creds = []
    try:
        if p['policy'] == 'random':
            old = os.umask(0o077)
            try:
                # /run is a tmpfs on most systems: the passwords never
                # reach flash there.
                tmp = tempfile.mkdtemp(prefix='credgate-migrate.',
                                       dir='/run' if os.access('/run', os.W_OK) else None)
            finally:
                os.umask(old)
            out_file = os.path.join(tmp, 'credentials')
            argv += ['--credentials-out', out_file]
        rc, out, err = run(module, argv)
        if tmp and os.path.exists(os.path.join(tmp, 'credentials')):
            creds = read_credentials(os.path.join(tmp, 'credentials'))
    except ValueError as e:
        module.fail_json(msg='credgate migrate: %s' % e)
    finally:
        if tmp:
            for name in os.listdir(tmp):
                shred(os.path.join(tmp, name))
            shutil.rmtree(tmp, ignore_errors=True)

    if rc != EXIT_OK:
        # credgate leaves the stores unchanged on exit 2 (credgate-migrate(1)).
        module.fail_json(msg='credgate migrate failed (exit %d), the stores are unchanged: %s'
                             % (rc, err.strip()[-2000:]), rc=rc, stderr=err, changed=False)
    after, _ = run_audit(module)
    module.exit_json(changed=True, accounts=offending, credentials=creds, audit=after)


if __name__ == '__main__':
    main()
