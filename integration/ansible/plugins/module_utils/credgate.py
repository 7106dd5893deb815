# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT
# Shared by the credgate.device modules: build a credgate command line, run
# it on the device, parse its JSON.  Nothing here ever returns a password
# or a hash: callers choose the fields they pass on.

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

# Exit codes of the credgate CLI (credgate(1)).
EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_ERROR = 2

VERDICTS = ('ok', 'locked', 'blank', 'default', 'derived', 'sequential',
            'common', 'unknown', 'noauth')
# Verdicts that are not violations.
CLEAN_VERDICTS = ('ok', 'locked')

# The fields of an audited account that go back to the controller.
ACCOUNT_FIELDS = ('store', 'line', 'user', 'verdict', 'detail')


def common_argument_spec():
    return dict(
        credgate=dict(type='str', default='credgate'),
    )


def audit_argument_spec():
    """Options shared by audit and migrate (the audit half)."""
    return dict(
        root=dict(type='path'),
        depth=dict(type='str', choices=['fast', 'full']),
        stores=dict(type='list', elements='str', default=[]),
        defaults=dict(type='list', elements='path', default=[]),
        no_builtin=dict(type='bool', default=False),
        device_id=dict(type='dict', default={}),
        allow_unknown=dict(type='bool', default=False),
        threads=dict(type='int'),
        cache=dict(type='path'),
        no_cache=dict(type='bool', default=False),
    )


def audit_args(params):
    """The credgate options of audit_argument_spec()'s parameters."""
    args = []
    if params.get('root'):
        args += ['--root', params['root']]
    if params.get('depth'):
        args += ['--depth', params['depth']]
    for s in params.get('stores') or []:
        args += ['--store', s]
    for d in params.get('defaults') or []:
        args += ['--defaults', d]
    if params.get('no_builtin'):
        args.append('--no-builtin')
    for k in sorted(params.get('device_id') or {}):
        args += ['--device-id', '%s=%s' % (k, params['device_id'][k])]
    if params.get('allow_unknown'):
        args.append('--allow-unknown')
    if params.get('threads') is not None:
        args += ['--threads', str(params['threads'])]
    if params.get('no_cache'):
        args.append('--no-cache')
    elif params.get('cache'):
        args += ['--cache', params['cache']]
    return args


def find_credgate(module):
    name = module.params['credgate']
    if '/' in name:
        return name
    path = module.get_bin_path(name, opt_dirs=['/usr/local/bin', '/usr/bin', '/usr/sbin'])
    if not path:
        module.fail_json(msg='%s not found on the device (install it: role credgate.device.agent)' % name)
    return path


def run(module, argv):
    """(rc, stdout, stderr) of credgate ARGV, never through a shell."""
    return module.run_command([find_credgate(module)] + argv, environ_update={'LC_ALL': 'C'})


def parse_json(module, argv, rc, out, err):
    try:
        return json.loads(out)
    except ValueError:
        module.fail_json(msg='credgate %s: no JSON report (exit %d): %s'
                         % (' '.join(argv[:1]), rc, (err or out).strip()[-2000:]),
                         rc=rc, stderr=err)


def summarize_accounts(accounts):
    """Accounts with the known fields only, and violations counted by verdict."""
    clean = []
    counts = dict((v, 0) for v in VERDICTS if v not in CLEAN_VERDICTS)
    for a in accounts or []:
        if not isinstance(a, dict):
            continue
        clean.append(dict((k, a[k]) for k in ACCOUNT_FIELDS if k in a))
        v = a.get('verdict')
        if v not in CLEAN_VERDICTS:
            counts[v] = counts.get(v, 0) + 1
    return clean, counts


def run_audit(module, extra=None):
    """credgate audit --json --redact: (report dict, rc).  Fails on exit 2."""
    argv = ['audit', '--json', '--redact', '--quiet'] + audit_args(module.params) + (extra or [])
    rc, out, err = run(module, argv)
    redacted = True
    if rc == EXIT_ERROR and 'redact' in err and 'unrecognized' in err:
        # A credgate from before --redact: its details may name a public
        # default password, so they are dropped below.
        argv.remove('--redact')
        rc, out, err = run(module, argv)
        redacted = False
    if rc not in (EXIT_OK, EXIT_VIOLATIONS):
        module.fail_json(msg='credgate audit failed (exit %d): %s' % (rc, err.strip()[-2000:]),
                         rc=rc, stderr=err)
    report = parse_json(module, argv, rc, out, err)
    accounts, counts = summarize_accounts(report.get('accounts'))
    if not redacted:
        for a in accounts:
            a.pop('detail', None)
    return dict(compliant=bool(report.get('compliant')) and rc == EXIT_OK,
                accounts=accounts,
                violations=counts,
                violations_total=sum(counts.values()),
                redacted=redacted), rc
