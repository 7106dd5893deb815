#!/bin/sh
# SPDX-License-Identifier: MIT
# lsm_boot_test.sh (inside the VM, as root, lsm backend): the state and
# mode the credgate LSM booted with, before anything has written to it.
# scripts/vm/check-suite boots this test once per "vm-boot" line below: the
# kernel (default: scripts/vm/build-kernel, built with
# SECURITY_CREDGATE_DEFAULT_MODE_ENFORCE and without START_OPEN;
# start-open: the same with SECURITY_CREDGATE_START_OPEN=y, told to the
# test in CREDGATE_KERNEL_VARIANT) and the kernel parameters.  The test
# works out from those what the kernel must have done:
#   - no parameter: closed (open with START_OPEN) and enforcing;
#   - credgate.state=/credgate.mode= with a valid value: that value;
#   - an invalid value: closed / enforcing (fails closed), reported;
#   - given twice: the last one counts.
# Then it checks that what securityfs says is what the hooks do: a TCP
# listener on the wildcard address is refused exactly when the gate is
# closed and enforcing; and, on the boot without parameters, that credgate
# is stacked with landlock, lockdown, yama and bpf.  Prints TAP.
# vm-boot: default
# vm-boot: default credgate.state=open
# vm-boot: default credgate.mode=permissive
# vm-boot: default credgate.mode=off
# vm-boot: default credgate.state=opne credgate.mode=enforcing
# vm-boot: default credgate.state=open credgate.state=bogus credgate.mode=permissive credgate.mode=
# vm-boot: start-open
# vm-boot: start-open credgate.state=closed
# vm-boot: start-open credgate.state=0
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; }
sfs=/sys/kernel/security/credgate

cmdline=$(cat /proc/cmdline)
variant=${CREDGATE_KERNEL_VARIANT:-default}
want_state=closed want_mode=enforce bad_state=0 bad_mode=0
[ "$variant" = start-open ] && want_state=open
for w in $cmdline; do
	case "$w" in
	credgate.state=*)
		v=${w#credgate.state=}
		case "$v" in
		open|closed) want_state=$v bad_state=0 ;;
		*) want_state=closed bad_state=1 ;;
		esac ;;
	credgate.mode=*)
		v=${w#credgate.mode=}
		case "$v" in
		enforce|permissive|off) want_mode=$v bad_mode=0 ;;
		*) want_mode=enforce bad_mode=1 ;;
		esac ;;
	esac
done
params=$(echo "$cmdline" | tr ' ' '\n' | grep '^credgate\.' | tr '\n' ' ')
what="$variant kernel, '${params% }'"
[ -n "$params" ] || what="$variant kernel, no credgate parameters"

state=$(cat "$sfs/state" 2>/dev/null)
mode=$(cat "$sfs/mode" 2>/dev/null)
if [ "$state" = "$want_state" ]; then
	ok "$what: state $state"
else
	not_ok "$what: state '$state', expected $want_state"
fi
if [ "$mode" = "$want_mode" ]; then
	ok "$what: mode $mode"
else
	not_ok "$what: mode '$mode', expected $want_mode"
fi

# The kernel's own line says the same.
line=$(dmesg | grep -o 'credgate: initialized: .*' | tail -n 1)
if [ "$line" = "credgate: initialized: gate $want_state, mode $want_mode" ]; then
	ok "$what: the boot line says '$line'"
else
	not_ok "$what: boot line '$line', expected gate $want_state, mode $want_mode"
fi

# An invalid value is reported by the parameter parser.
if [ $((bad_state + bad_mode)) -gt 0 ]; then
	if dmesg | grep -q "invalid for parameter .credgate\."; then
		ok "$what: the invalid value is reported at boot"
	else
		not_ok "$what: no 'invalid for parameter' line for the invalid value"
		dmesg | grep -i credgate | sed 's/^/# /'
	fi
fi

# Stacking: the credgate kernel (scripts/vm/build-kernel) runs with the
# other LSMs of the shipped fragment's list that it builds.
if [ -z "$params" ] && [ "$variant" = default ]; then
	lsms=$(cat /sys/kernel/security/lsm 2>/dev/null)
	missing=''
	for l in landlock lockdown yama credgate bpf; do
		case ",$lsms," in *",$l,"*) ;; *) missing="$missing $l" ;; esac
	done
	if [ -z "$missing" ]; then
		ok "credgate stacked with landlock, lockdown, yama and bpf (active: $lsms)"
	else
		not_ok "active LSMs '$lsms' lack:$missing"
	fi
fi

# What the hooks do: nc listening on the wildcard address.
nc -l -p 8099 </dev/null >/tmp/lsm_boot.nc 2>&1 &
pid=$!
sleep 1
if kill -0 "$pid" 2>/dev/null; then
	served=yes
	kill "$pid"
	wait "$pid" 2>/dev/null
else
	served=no
fi
if [ "$want_state" = closed ] && [ "$want_mode" = enforce ]; then
	want_served=no
else
	want_served=yes
fi
if [ "$served" = "$want_served" ]; then
	ok "$what: a wildcard TCP listener is $( [ "$served" = yes ] && echo allowed || echo refused)"
else
	not_ok "$what: wildcard listener served=$served, expected $want_served"
	sed 's/^/# /' /tmp/lsm_boot.nc
fi
echo "1..$n"
