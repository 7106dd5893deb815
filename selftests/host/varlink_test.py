#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Black-box tests of credgated's Varlink service and `credgate support`.

The client here is written from the Varlink specification (varlink.org)
with Python's socket and json modules only; it shares no code with the
server.  Prints TAP.  Agent PIDs go to $VARLINK_TEST_PIDS so the shell
wrapper's trap can kill them whatever happens.
"""
import datetime
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

BUILD = os.environ.get("CREDGATE_BUILD") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "build")
CREDGATED = os.path.join(BUILD, "credgated")
CREDGATE = os.path.join(BUILD, "credgate")
PIDFILE = os.environ.get("VARLINK_TEST_PIDS")
TMP = tempfile.mkdtemp(prefix="credgate-varlink-")

n_test = 0
n_fail = 0


def tap(ok, what, diag=None):
    global n_test, n_fail
    n_test += 1
    if not ok:
        n_fail += 1
    print(("ok" if ok else "not ok") + " %d - %s" % (n_test, what))
    if diag is not None and not ok:
        for line in str(diag).splitlines():
            print("#   " + line)
    sys.stdout.flush()
    return ok


# ---- a minimal Varlink client ---------------------------------------------

class Conn:
    def __init__(self, path, timeout=5.0):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        self.s.connect(path)
        self.buf = b""

    def send_raw(self, data):
        self.s.sendall(data)

    def recv_msg(self):
        """One NUL-terminated message, parsed; None on EOF."""
        while b"\0" not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                return None
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg.decode("utf-8"))

    def call(self, method, parameters=None, **extra):
        req = {"method": method}
        if parameters is not None:
            req["parameters"] = parameters
        req.update(extra)
        self.send_raw(json.dumps(req).encode() + b"\0")
        return self.recv_msg()

    def at_eof(self, wait=3.0):
        """True if the server closed the connection (after any message)."""
        self.s.settimeout(wait)
        try:
            while True:
                chunk = self.s.recv(65536)
                if not chunk:
                    return True
                self.buf += chunk
        except (socket.timeout, TimeoutError):
            return False
        except ConnectionResetError:
            return True

    def close(self):
        self.s.close()


def call(path, method, parameters=None):
    c = Conn(path)
    try:
        return c.call(method, parameters)
    finally:
        c.close()


# ---- an independent Varlink IDL parser --------------------------------------

TOKEN = re.compile(r"\s*(->|\[\]|\[string\]|[A-Za-z_][A-Za-z0-9_.]*|[(),:?])")


def idl_tokens(text):
    text = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    pos, out = 0, []
    while True:
        m = TOKEN.match(text, pos)
        if not m:
            if text[pos:].strip():
                raise ValueError("IDL: cannot tokenize at %r" % text[pos:pos + 20])
            return out
        out.append(m.group(1))
        pos = m.end()


class Idl:
    """Parse an interface description: name, types, methods, errors."""

    def __init__(self, text):
        self.t = idl_tokens(text)
        self.i = 0
        self.expect("interface")
        self.name = self.next()
        if not re.fullmatch(r"[A-Za-z](-*[A-Za-z0-9])*(\.[A-Za-z0-9](-*[A-Za-z0-9])*)+", self.name):
            raise ValueError("bad interface name " + self.name)
        self.types, self.methods, self.errors = {}, {}, {}
        while self.i < len(self.t):
            kw = self.next()
            name = self.next()
            if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", name):
                raise ValueError("bad member name " + name)
            if kw == "type":
                self.types[name] = self.type_()
            elif kw == "method":
                args = self.struct()
                self.expect("->")
                self.methods[name] = (args, self.struct())
            elif kw == "error":
                self.errors[name] = self.struct()
            else:
                raise ValueError("unexpected " + kw)
        if not (self.types or self.methods or self.errors):
            raise ValueError("interface without members")

    def next(self):
        if self.i >= len(self.t):
            raise ValueError("IDL: unexpected end")
        self.i += 1
        return self.t[self.i - 1]

    def expect(self, tok):
        got = self.next()
        if got != tok:
            raise ValueError("IDL: expected %r, got %r" % (tok, got))

    def struct(self):
        self.expect("(")
        fields = {}
        if self.t[self.i] == ")":
            self.i += 1
            return ("struct", fields)
        while True:
            name = self.next()
            if self.t[self.i] != ":":   # enum
                raise ValueError("enum in a struct position not supported")
            self.expect(":")
            fields[name] = self.type_()
            sep = self.next()
            if sep == ")":
                return ("struct", fields)
            if sep != ",":
                raise ValueError("IDL: expected , or )")

    def type_(self):
        tok = self.t[self.i]
        if tok == "?":
            self.i += 1
            return ("maybe", self.type_())
        if tok == "[]":
            self.i += 1
            return ("array", self.type_())
        if tok == "[string]":
            self.i += 1
            return ("map", self.type_())
        if tok == "(":
            return self.struct()
        self.i += 1
        return ("name", tok)


def check_value(idl, typ, value, where, problems):
    kind = typ[0]
    if kind == "maybe":
        if value is not None:
            check_value(idl, typ[1], value, where, problems)
        return
    if kind == "array":
        if not isinstance(value, list):
            problems.append("%s: not an array" % where)
            return
        for n, v in enumerate(value):
            check_value(idl, typ[1], v, "%s[%d]" % (where, n), problems)
        return
    if kind == "struct":
        check_struct(idl, typ[1], value, where, problems)
        return
    name = typ[1]
    simple = {"string": str, "bool": bool, "float": (int, float), "object": dict}
    if name == "int":
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append("%s: not an int" % where)
    elif name in simple:
        if not isinstance(value, simple[name]) or (name != "bool" and isinstance(value, bool)):
            problems.append("%s: not a %s" % (where, name))
    elif name in idl.types:
        check_value(idl, idl.types[name], value, where, problems)
    else:
        problems.append("%s: unknown type %s" % (where, name))


def check_struct(idl, fields, value, where, problems):
    if not isinstance(value, dict):
        problems.append("%s: not an object" % where)
        return
    for k in value:
        if k not in fields:
            problems.append("%s.%s: not declared in the interface" % (where, k))
    for k, t in fields.items():
        if k not in value:
            if t[0] != "maybe":
                problems.append("%s.%s: missing" % (where, k))
        else:
            check_value(idl, t, value[k], "%s.%s" % (where, k), problems)


# ---- the agent under test ----------------------------------------------------

class Agent:
    def __init__(self, name, config_text, state_dir=None, os_release=None, extra=()):
        self.dir = os.path.join(TMP, name)
        os.makedirs(self.dir, exist_ok=True)
        # In a directory the agent makes (and gives to its service user,
        # so it can remove the socket at exit), as /run/credgate is.
        self.socket = os.path.join(self.dir, "run", "io.credgate.Device")
        self.config = os.path.join(self.dir, "credgate.conf")
        self.state = state_dir or os.path.join(self.dir, "state")
        self.os_release = os_release or OS_RELEASE
        with open(self.config, "w") as f:
            f.write(config_text)
        self.log = os.path.join(self.dir, "agent.log")
        self.proc = subprocess.Popen(
            [CREDGATED, "--backend", "none", "--socket", self.socket,
             "--config", self.config, "--state-dir", self.state,
             "--os-release", self.os_release, "--foreground", *extra],
            stdout=subprocess.DEVNULL, stderr=open(self.log, "w"))
        if PIDFILE:
            with open(PIDFILE, "a") as f:
                f.write("%d\n" % self.proc.pid)
        deadline = time.time() + 5
        while time.time() < deadline and self.proc.poll() is None:
            if os.path.exists(self.socket):
                try:
                    call(self.socket, "org.varlink.service.GetInfo")
                    return
                except OSError:
                    pass
            time.sleep(0.02)

    def alive(self):
        return self.proc.poll() is None

    def stderr(self):
        with open(self.log) as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


OS_RELEASE = os.path.join(TMP, "os-release")
with open(OS_RELEASE, "w") as f:
    f.write('NAME="Test OS"\nVERSION_ID=4.2\nIMAGE_VERSION="4.2.1-rc1"\n'
            'VENDOR_NAME="Test OS Vendor"\nVENDOR_URL="https://vendor.example.org/"\n'
            'SUPPORT_URL="https://vendor.example.org/support"\n'
            'BUG_REPORT_URL="https://bugs.example.org/"\nSUPPORT_END=2030-01-01\n')

PRODUCT = """
[product]
manufacturer = Example Devices Ltd
model = ESP-100
hardware_version = rev C
support_end = {end}
contact = mailto:security@example.com
contact = https://example.com/security/report tel:+44-20-7946-0000
policy = https://example.com/security/policy
encryption = https://example.com/pgp-key.txt
acknowledgement_days = 5
status_update_days = 30
preferred_languages = en, de
compliance_url = https://example.com/doc.pdf
sbom_url = https://example.com/sbom.json
"""
# The main agent audits a store of its own (not the host's /etc/shadow):
# admin with the public default "admin", so that its answers have a hash
# they must never show (test_no_secret_anywhere).  md5crypt: cheap to audit.
ADMIN_HASH = subprocess.run(["openssl", "passwd", "-1", "admin"], capture_output=True,
                            text=True).stdout.strip()
SHADOW = os.path.join(TMP, "shadow")
with open(SHADOW, "w") as f:
    f.write("root:*:19000:0:99999:7:::\nadmin:%s:19000:0:99999:7:::\n" % ADMIN_HASH)
CONFIG = ("[gate]\nbackend = none\nmode = permissive\n[audit]\nstores = shadow:%s\n" % SHADOW
          + PRODUCT.format(end="2031-12-31"))


def days_until(date):
    end = datetime.date.fromisoformat(date)
    return (end - datetime.datetime.now(datetime.timezone.utc).date()).days


# ---- tests ------------------------------------------------------------------

def test_methods(a):
    r = call(a.socket, "org.varlink.service.GetInfo")
    p = r.get("parameters", {})
    problems = []
    check_struct(None, {k: ("name", "string") for k in ("vendor", "product", "version", "url")}
                 | {"interfaces": ("array", ("name", "string"))}, p, "GetInfo", problems)
    tap("error" not in r and not problems, "GetInfo: vendor, product, version, url, interfaces[] with their types", problems or r)
    ifaces = p.get("interfaces", [])
    tap(set(ifaces) == {"org.varlink.service", "io.credgate.Device"},
        "GetInfo lists org.varlink.service and io.credgate.Device", ifaces)
    # One version: the build's (gen/version.h), printed by both programs
    # and reported over Varlink.
    try:
        with open(os.path.join(BUILD, "gen", "version.h")) as f:
            built = f.read().split('"')[1]
    except (OSError, IndexError):
        built = None
    outs = [subprocess.run([b, "--version"], capture_output=True, text=True) for b in (CREDGATED, CREDGATE)]
    tap(built and [o.returncode for o in outs] == [0, 0]
        and [o.stdout for o in outs] == ["credgated %s\n" % built, "credgate %s\n" % built]
        and p.get("version") == built,
        "credgated --version, credgate --version and GetInfo give the build's version",
        (built, [(o.returncode, o.stdout, o.stderr) for o in outs], p.get("version")))

    idls = {}
    for iface in ifaces:
        r = call(a.socket, "org.varlink.service.GetInterfaceDescription", {"interface": iface})
        desc = r.get("parameters", {}).get("description")
        try:
            idl = Idl(desc)
            ok = idl.name == iface
        except (ValueError, TypeError, IndexError) as e:
            ok, idl = False, e
        tap(ok, "GetInterfaceDescription(%s) is Varlink IDL that parses and names the interface" % iface, idl)
        if ok:
            idls[iface] = idl

    r = call(a.socket, "org.varlink.service.GetInterfaceDescription", {"interface": "com.example.Nope"})
    tap(r.get("error") == "org.varlink.service.InterfaceNotFound" and
        r.get("parameters", {}).get("interface") == "com.example.Nope",
        "GetInterfaceDescription of an unknown interface: InterfaceNotFound", r)

    dev = idls.get("io.credgate.Device")
    if not dev:
        tap(False, "io.credgate.Device description needed for the next tests")
        return
    want = {"GetSupport", "GetDisclosure", "GetStatus"}
    tap(want <= set(dev.methods), "io.credgate.Device declares GetSupport, GetDisclosure, GetStatus", sorted(dev.methods))
    for iface, idl in idls.items():
        for m, (args, ret) in idl.methods.items():
            params = {"interface": "io.credgate.Device"} if m == "GetInterfaceDescription" else {}
            r = call(a.socket, "%s.%s" % (iface, m), params)
            problems = []
            if "error" in r:
                problems.append("error " + r["error"])
            else:
                check_struct(idl, ret[1], r.get("parameters"), m, problems)
            tap(not problems, "%s.%s: reply fields and types match the interface description" % (iface, m), problems)
        r = call(a.socket, "%s.NotAMethodHere" % iface)
        tap(r.get("error") == "org.varlink.service.MethodNotFound",
            "%s: a method not in the description is MethodNotFound" % iface, r)
    # the declared errors exist for the server's own errors
    tap({"ProtocolError", "MessageTooLarge", "TooManyConnections"} <= set(dev.errors),
        "io.credgate.Device declares the transport errors it sends", sorted(dev.errors))

    sup = call(a.socket, "io.credgate.Device.GetSupport")["parameters"]
    expect = {"support_end": "2031-12-31", "supported": True, "vendor": "Example Devices Ltd",
              "product": "Test OS", "model": "ESP-100", "firmware_version": "4.2.1-rc1",
              "support_url": "https://vendor.example.org/support", "hardware_version": "rev C",
              "days_left": days_until("2031-12-31")}
    diff = {k: (v, sup.get(k)) for k, v in expect.items() if sup.get(k) != v}
    tap(not diff, "GetSupport: config overrides os-release, os-release fills the rest, days_left exact", diff)

    st = call(a.socket, "io.credgate.Device.GetStatus")["parameters"]
    # credgated audits at start (even with backend none): either no audit
    # yet (not compliant) or one with an RFC 3339 time.
    audited = re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", st.get("last_audit", "")) is not None
    tap(st.get("backend") == "none" and st.get("gate") == "unknown"
        and (audited or (st.get("compliant") is False and st.get("last_audit") == ""))
        and isinstance(st.get("violations"), list) and st.get("mode") == "permissive",
        "GetStatus with --backend none: backend none, gate unknown, audit state consistent", st)


RFC9116_FIELDS = {"acknowledgments", "canonical", "contact", "encryption", "expires",
                  "hiring", "policy", "preferred-languages", "csaf"}


def check_security_txt(text, contacts, languages):
    """RFC 9116 section 2 and 3, field by field; returns a list of problems."""
    problems, fields = [], {}
    if not text.endswith("\n"):
        problems.append("does not end with a line break")
    for n, line in enumerate(text.split("\n")[:-1], 1):
        if line == "" or line.startswith("#"):
            continue
        m = re.fullmatch(r"([A-Za-z0-9-]+): (\S.*)", line)
        if not m:
            problems.append("line %d is neither comment nor 'Field: value': %r" % (n, line))
            continue
        name = m.group(1).lower()
        if name not in RFC9116_FIELDS:
            problems.append("line %d: field %s not defined by RFC 9116" % (n, m.group(1)))
        fields.setdefault(name, []).append(m.group(2))
    got = fields.get("contact", [])
    if not got:
        problems.append("Contact is required (2.5.3)")
    for c in got:
        if not re.fullmatch(r"(mailto:[^@\s]+@[A-Za-z0-9.-]+\.[A-Za-z]+|https://[A-Za-z0-9.-]+(/\S*)?|tel:\+[0-9().-]+)", c):
            problems.append("Contact %r is not a mailto:, https:// or tel: URI (2.5.3)" % c)
    if got != contacts:
        problems.append("Contact fields %r differ from contacts %r" % (got, contacts))
    exp = fields.get("expires", [])
    if len(exp) != 1:
        problems.append("Expires must appear exactly once (2.5.5), got %d" % len(exp))
    else:
        try:
            when = datetime.datetime.strptime(exp[0], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
            now = datetime.datetime.now(datetime.timezone.utc)
            if not now < when < now + datetime.timedelta(days=365):
                problems.append("Expires %s is not in the future and within a year (2.5.5)" % exp[0])
        except ValueError:
            problems.append("Expires %r is not RFC 3339 date-time (2.5.5)" % exp[0])
    for f in ("policy", "encryption", "acknowledgments", "canonical", "hiring"):
        for v in fields.get(f, []):
            if not v.startswith("https://"):
                problems.append("%s %r: web URIs must be https (2.5)" % (f, v))
    pl = fields.get("preferred-languages", [])
    if len(pl) > 1:
        problems.append("Preferred-Languages must not appear more than once (2.5.8)")
    if pl:
        tags = [t.strip() for t in pl[0].split(",")]
        if tags != languages or not all(re.fullmatch(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*", t) for t in tags):
            problems.append("Preferred-Languages %r do not match %r" % (pl[0], languages))
    elif languages:
        problems.append("Preferred-Languages missing")
    if "expires" in fields and fields.get("canonical") is None:
        pass  # Canonical is optional: the device does not know its own URL
    return problems


def test_disclosure(a):
    d = call(a.socket, "io.credgate.Device.GetDisclosure")["parameters"]
    contacts = ["mailto:security@example.com", "https://example.com/security/report", "tel:+44-20-7946-0000"]
    tap(d.get("contacts") == contacts and d.get("policy") == "https://example.com/security/policy"
        and d.get("acknowledgement_days") == 5 and d.get("status_update_days") == 30
        and d.get("preferred_languages") == ["en", "de"],
        "GetDisclosure: contacts, policy, timescales, languages as configured", d)
    txt = d.get("security_txt", "")
    problems = check_security_txt(txt, contacts, ["en", "de"])
    tap(not problems, "security_txt is a valid RFC 9116 document (Contact, Expires, Policy, Encryption, Preferred-Languages)", problems or txt)
    tap("Policy: https://example.com/security/policy" in txt and
        "Encryption: https://example.com/pgp-key.txt" in txt,
        "security_txt carries the optional fields that are known", txt)

def test_no_secret_anywhere(a):
    """Every method of every interface the agent describes, called after its
    audit found admin's default password: no answer holds the store's hash,
    its salt or any crypt prefix; none but the IDL texts (documentation)
    uses the words "password" or "hash"."""
    deadline = time.time() + 20
    st = {}
    while time.time() < deadline:
        st = call(a.socket, "io.credgate.Device.GetStatus").get("parameters", {})
        if st.get("last_audit"):
            break
        time.sleep(0.2)
    tap("admin" in json.dumps(st.get("violations")),
        "the agent's audit found admin's default password (so there is a hash to leak)", st)
    salt = ADMIN_HASH.split("$")[2]
    answers = []
    for iface in call(a.socket, "org.varlink.service.GetInfo").get("parameters", {}).get("interfaces", []):
        r = call(a.socket, "org.varlink.service.GetInterfaceDescription", {"interface": iface})
        answers.append(("GetInterfaceDescription(%s)" % iface, r, True))
        try:
            methods = Idl(r.get("parameters", {}).get("description")).methods
        except (ValueError, TypeError, IndexError) as e:
            tap(False, "no secret in any answer: the %s description parses" % iface, e)
            continue
        for m in sorted(methods):
            if m == "GetInterfaceDescription":
                continue
            answers.append(("%s.%s" % (iface, m), call(a.socket, "%s.%s" % (iface, m)), False))
    names = [w for w, _, _ in answers]
    tap({"org.varlink.service.GetInfo", "io.credgate.Device.GetStatus", "io.credgate.Device.GetSupport",
         "io.credgate.Device.GetDisclosure"} <= set(names),
        "no secret in any answer: every method called", names)
    for what, r, idl_text in answers:
        text = json.dumps(r)
        found = [b for b in (ADMIN_HASH, salt, "$1$", "$5$", "$6$", "$y$", "$2b$", "$argon2")
                 if b in text]
        if not idl_text:
            found += [w for w in ("password", "hash") if w in text.lower()]
        tap(not found, "no password, hash, salt or crypt prefix in the answer of %s" % what, found)


def test_cli(a):
    r = subprocess.run([CREDGATE, "support", "--json", "--socket", a.socket], capture_output=True, text=True)
    try:
        j = json.loads(r.stdout)
        ok = r.returncode == 0 and j["support"]["support_end"] == "2031-12-31" and \
            j["disclosure"]["contacts"][0] == "mailto:security@example.com"
    except (ValueError, KeyError, IndexError):
        ok = False
    tap(ok, "credgate support --json over the socket", r.stdout + r.stderr)
    r2 = subprocess.run([CREDGATE, "support", "--json", "--offline", "--config", a.config,
                         "--os-release", a.os_release, "--state-dir", a.state], capture_output=True, text=True)
    try:
        j2 = json.loads(r2.stdout)
        for part in ("support", "disclosure"):
            j[part].pop("security_txt", None)
            j2[part].pop("security_txt", None)
        ok = r2.returncode == 0 and j == j2
    except (ValueError, KeyError, UnboundLocalError):
        ok = False
    tap(ok, "credgate support --offline gives the same answer as the agent", r2.stdout + r2.stderr)
    r = subprocess.run([CREDGATE, "support", "--security-txt", "--socket", a.socket], capture_output=True, text=True)
    tap(r.returncode == 0 and not check_security_txt(r.stdout, ["mailto:security@example.com",
        "https://example.com/security/report", "tel:+44-20-7946-0000"], ["en", "de"]),
        "credgate support --security-txt prints a valid RFC 9116 document", r.stdout + r.stderr)
    r = subprocess.run([CREDGATE, "support", "--socket", a.socket], capture_output=True, text=True)
    tap(r.returncode == 0 and "until 2031-12-31" in r.stdout and "security@example.com" in r.stdout,
        "credgate support prints the period and the contact", r.stdout + r.stderr)
    r = subprocess.run([CREDGATE, "support", "--socket", os.path.join(TMP, "nope")], capture_output=True, text=True)
    tap(r.returncode == 2 and "cannot connect" in r.stderr and "--offline" in r.stderr,
        "credgate support without an agent: exit 2 and says what to do", r.stderr)


def test_robustness(a):
    # malformed input, each answered, connection kept
    c = Conn(a.socket)
    cases = [
        (b'{"method": "io.credgate.Device.GetSupport"', "io.credgate.Device.ProtocolError", "truncated JSON"),
        (b'{method: 1}', "io.credgate.Device.ProtocolError", "not JSON"),
        (b'[1, 2]', "io.credgate.Device.ProtocolError", "an array, not an object"),
        (b'{"method": 5}', "io.credgate.Device.ProtocolError", "method of the wrong type"),
        (b'{"parameters": {}}', "io.credgate.Device.ProtocolError", "no method"),
        (b'{"method": "io.credgate.Device.GetSupport", "parameters": []}',
         "org.varlink.service.InvalidParameter", "parameters of the wrong type"),
        (b'{"method": "io.credgate.Device.GetSupport", "oneway": "yes"}',
         "org.varlink.service.InvalidParameter", "oneway of the wrong type"),
        (b'{"method": "org.varlink.service.GetInterfaceDescription", "parameters": {"interface": 5}}',
         "org.varlink.service.InvalidParameter", "a parameter of the wrong type"),
        (b'{"method": "org.varlink.service.GetInterfaceDescription", "parameters": {}}',
         "org.varlink.service.InvalidParameter", "a missing parameter"),
        (b'{"method": "io.credgate.Device.GetSupport", "parameters": {"x": 1}}',
         "org.varlink.service.InvalidParameter", "an unknown parameter"),
        (b'{"method": "io.credgate.Device.SetSupport"}', "org.varlink.service.MethodNotFound", "an unknown method"),
        (b'{"method": "NoInterface"}', "org.varlink.service.InterfaceNotFound", "a method without interface"),
        (b'{"method": "io.credgate.Device.GetSupport", "parameters": {"a": ' + b"[" * 5000 + b"]" * 5000 + b"}}",
         "io.credgate.Device.ProtocolError", "nesting 5000 deep"),
        (b'{"method": "io.credgate.Device.Get\\u0000Support"}', "io.credgate.Device.ProtocolError",
         "\\u0000 inside the method name"),
        (b'{"method": "org.varlink.service.GetInterfaceDescription", "parameters": {"interface": "io.credgate.Device\\u0000x"}}',
         "org.varlink.service.InvalidParameter", "\\u0000 inside a parameter string"),
        (b'{"method": "io.credgate.Device.GetSupport"} {"x": 1}', "io.credgate.Device.ProtocolError",
         "trailing data after the object"),
        (b'{"method": "io.credgate.Device.GetSupport", "x": "\xff\xfe"}', "io.credgate.Device.ProtocolError",
         "invalid UTF-8"),
        (b'', "io.credgate.Device.ProtocolError", "an empty message"),
    ]
    for raw, want, what in cases:
        c.send_raw(raw + b"\0")
        try:
            r = c.recv_msg()
        except (OSError, ValueError) as e:
            r = e
        tap(isinstance(r, dict) and r.get("error") == want and isinstance(r.get("parameters"), dict),
            "%s: %s, connection kept" % (what, want.rsplit(".", 1)[1]), r)
    r = c.call("io.credgate.Device.GetSupport")
    tap(r and "parameters" in r and "error" not in r, "the same connection still serves after 18 bad requests", r)

    # a raw NUL inside a string splits the message: two errors, then service
    c.send_raw(b'{"method": "io.credgate.De\0vice.GetSupport"}\0')
    r1, r2 = c.recv_msg(), c.recv_msg()
    r3 = c.call("io.credgate.Device.GetSupport")
    tap(r1.get("error", "").endswith("ProtocolError") and r2.get("error", "").endswith("ProtocolError")
        and "error" not in r3, "a raw NUL inside a string: two ProtocolErrors, then service as usual", (r1, r2, r3))

    # oneway: no answer, next answer is the next call's
    c.send_raw(b'{"method": "io.credgate.Device.GetStatus", "oneway": true}\0')
    r = c.call("org.varlink.service.GetInfo")
    tap(r and "interfaces" in r.get("parameters", {}), "oneway gets no answer", r)

    # pipelined requests in one write
    c.send_raw(b'{"method":"io.credgate.Device.GetStatus"}\0' * 50)
    got = [c.recv_msg() for _ in range(50)]
    tap(all(g and "gate" in g.get("parameters", {}) for g in got), "50 pipelined requests in one write: 50 answers")
    c.close()

    # oversized message: error, then hang up; the server keeps serving
    c = Conn(a.socket)
    big = b'{"method": "io.credgate.Device.GetSupport", "parameters": {"x": "' + b"A" * (70 * 1024) + b'"}}\0'
    try:
        c.send_raw(big)
    except OSError:
        pass
    try:
        r = c.recv_msg()
    except OSError as e:
        r = e
    tap(isinstance(r, dict) and r.get("error") == "io.credgate.Device.MessageTooLarge"
        and r.get("parameters", {}).get("limit") == 65536, "a request over 64 KiB: MessageTooLarge", r)
    tap(c.at_eof(), "... and the connection is closed")
    c.close()
    # exactly at the limit (65536 bytes) is accepted as a message
    pad = 65536 - len(b'{"method": "io.credgate.Device.GetSupport", "parameters": {}}')
    c = Conn(a.socket)
    c.send_raw(b'{"method": "io.credgate.Device.GetSupport", "parameters": {}}' + b" " * pad + b"\0")
    r = c.recv_msg()
    tap(r and "error" not in r, "a request of exactly 64 KiB is served", r)
    c.close()
    tap(a.alive() and "error" not in call(a.socket, "org.varlink.service.GetInfo"),
        "the agent survived every bad request and still serves")


def test_limits():
    cfg = CONFIG + "\n[varlink]\nmax_clients = 4\nidle_timeout = 2\n"
    a = Agent("limits", cfg)
    try:
        held = [Conn(a.socket) for _ in range(4)]
        for h in held:
            h.call("org.varlink.service.GetInfo")
        t0 = time.time()
        extra = Conn(a.socket)
        try:
            r = extra.recv_msg()
        except OSError as e:
            r = e
        tap(isinstance(r, dict) and r.get("error") == "io.credgate.Device.TooManyConnections"
            and r["parameters"].get("limit") == 4 and time.time() - t0 < 1.5,
            "client 5 of max_clients=4 is told TooManyConnections at once", r)
        tap(extra.at_eof(1.0), "... and closed, not hung")
        held.pop().close()
        time.sleep(0.1)
        c = Conn(a.socket)
        r = c.call("org.varlink.service.GetInfo")
        tap(r and "error" not in r, "a slot freed by a closing client is usable again", r)
        c.close()

        # a slow client (1 byte per second) does not stall the others
        stop = threading.Event()
        slow = Conn(a.socket)

        def trickle():
            msg = b'{"method":"io.credgate.Device.GetSupport"}'
            for b in msg:
                if stop.is_set():
                    return
                try:
                    slow.send_raw(bytes([b]))
                except OSError:
                    return
                time.sleep(1.0)
        th = threading.Thread(target=trickle, daemon=True)
        th.start()
        fast = held[0]
        worst, t_end = 0.0, time.time() + 1.5
        n = 0
        while time.time() < t_end:
            t = time.time()
            r = fast.call("io.credgate.Device.GetSupport")
            worst = max(worst, time.time() - t)
            n += 1
            if not r or "error" in r:
                break
        tap(worst < 0.2 and n > 50, "while a client sends 1 byte/s, another gets %d answers, worst %.1f ms" % (n, worst * 1000))
        # idle clients (and the slow one: its request never completes in
        # time) are dropped after idle_timeout = 2 s
        t0 = time.time()
        idle_gone = held[1].at_eof(4.0)
        tap(idle_gone and time.time() - t0 < 3.5, "an idle client is dropped after idle_timeout (2 s)")
        tap(slow.at_eof(3.0), "a client trickling one request at 1 byte/s is dropped too")
        stop.set()
        c = Conn(a.socket)
        tap("error" not in c.call("org.varlink.service.GetInfo") and a.alive(), "the agent still serves afterwards")
        c.close()
    finally:
        a.stop()


def published_end(name, config, state):
    """Start an agent, return (support_end it serves, recorded end, agent)."""
    a = Agent(name, config, state_dir=state)
    end = call(a.socket, "io.credgate.Device.GetSupport")["parameters"]["support_end"]
    a.stop()
    with open(os.path.join(state, "support-end")) as f:
        return end, f.read().strip(), a


def test_floor():
    state = os.path.join(TMP, "floor-state")
    r1, stored, _ = published_end("floor1", CONFIG, state)
    tap(r1 == "2031-12-31" and stored == "2031-12-31", "the published support end is recorded in the state dir", (r1, stored))

    shorter = "[gate]\nbackend = none\n" + PRODUCT.format(end="2029-06-30")
    r2, stored, a = published_end("floor2", shorter, state)
    err = a.stderr()
    line = [n for n, l in enumerate(shorter.splitlines(), 1) if l.startswith("support_end")][0]
    tap(r2 == "2031-12-31", "after a restart with an earlier support end, the later one stays published", r2)
    tap("never shortened" in err and ("credgate.conf:%d:" % line) in err and "2029-06-30" in err and "2031-12-31" in err,
        "the earlier end is refused with a message naming file:line and both dates", err)
    tap(stored == "2031-12-31", "the state file is not shortened", stored)

    longer = "[gate]\nbackend = none\n" + PRODUCT.format(end="2033-06-30")
    r3, stored, _ = published_end("floor3", longer, state)
    tap(r3 == "2033-06-30" and stored == "2033-06-30", "an extended support end is published and recorded", (r3, stored))

    # no support end in the config: os-release says 2030, the floor wins
    r4, _, _ = published_end("floor4", "[gate]\nbackend = none\n", state)
    tap(r4 == "2033-06-30", "an earlier os-release SUPPORT_END does not shorten it either", r4)


def test_past_end():
    cfg = "[gate]\nbackend = none\n" + PRODUCT.format(end="2020-02-29")
    for n in (1, 2):
        a = Agent("past%d" % n, cfg, state_dir=os.path.join(TMP, "past-state"))
        s = call(a.socket, "io.credgate.Device.GetSupport")["parameters"]
        a.stop()
        tap(s["supported"] is False and s["days_left"] == days_until("2020-02-29") and s["days_left"] < 0,
            "start %d past the end: supported false, days_left negative" % n, s)
        tap("support period ended on 2020-02-29" in a.stderr(), "start %d past the end: the agent warns" % n, a.stderr())


def find_pid(needle):
    for pid in os.listdir("/proc"):
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                if needle.encode() in f.read():
                    return int(pid)
        except (OSError, ValueError):
            pass
    return None


def test_detach():
    d = os.path.join(TMP, "detach")
    os.makedirs(d)
    sock = os.path.join(d, "run", "sock")
    with open(os.path.join(d, "c.conf"), "w") as f:
        f.write(CONFIG)
    # stderr stays the detached agent's log: give it a file, not a pipe
    with open(os.path.join(d, "log"), "w") as log:
        r = subprocess.run([CREDGATED, "--backend", "none", "--socket", sock, "--config", os.path.join(d, "c.conf"),
                            "--state-dir", os.path.join(d, "state"), "--os-release", OS_RELEASE],
                           stdout=subprocess.PIPE, stderr=log, text=True, timeout=10)
    pid = find_pid(sock)
    if pid and PIDFILE:
        with open(PIDFILE, "a") as f:
            f.write("%d\n" % pid)
    ok = r.returncode == 0 and pid is not None and "error" not in call(sock, "org.varlink.service.GetInfo")
    tap(ok, "without --foreground: returns 0 once the socket serves, agent keeps running", r.returncode)
    if pid:
        os.kill(pid, 15)
        deadline = time.time() + 5
        while time.time() < deadline and os.path.exists(sock):
            time.sleep(0.05)
    tap(pid and not os.path.exists(sock), "the detached agent stops on SIGTERM and removes its socket")


def test_config_errors():
    cases = [
        ("[gate]\nbackend = lsm\nfrobnicate = 1\n", 3, "unknown key 'frobnicate'"),
        ("[gate]\n[nosuch]\nx = 1\n", 2, "unknown section [nosuch]"),
        ("[product]\nsupport_end = 2031-02-30\n", 2, "expected an ISO 8601 date"),
        ("[product]\nsupport_end = 31.12.2031\n", 2, "expected an ISO 8601 date"),
        ("[product]\ncontact = http://example.com/\n", 2, "must be an https:// URL"),
        ("[product]\ncontact = ftp://example.com/\n", 2, "must be a mailto:, https:// or tel: URI"),
        ("[product]\ncontact = mailto:nobody\n", 2, "not a valid mailto"),
        ("[product]\n\ncontact = tel:12345\n", 3, "global telephone number"),
        ("[product]\npolicy = https://exa mple.com/\n", 2, "policy"),
        ("[product]\nacknowledgement_days = soon\n", 2, "whole number"),
        ("[product]\npreferred_languages = english!\n", 2, "RFC 5646"),
        ("[gate]\nmode = strict\n", 2, "expected one of enforce|permissive|off"),
        ("[gate]\nallow_ports = udp:68, tcp:70000\n", 2, "not a port number"),
        ("[gate]\nallow_ports = 68\n", 2, "'68' names no protocol: entries are PROTO:PORT now; write udp:68"),
        ("[gate]\nallow_ports = icmp:8\n", 2, "unknown protocol (known: udp, tcp, sctp)"),
        ("[gate]\nmode = enforce\nmode = off\n", 3, "set twice"),
        ("[gate]\nfoo = 1\nfoo = 2\n", 3, "unknown key 'foo' in [gate] (known: backend, mode, lock, allow_ports)"),
        ("[audit]\nstores =\n", 2, "'stores' has no value"),
        ("[audit]\nstores = shadow:/etc/shadow nosuch:/x\n", 2, "unknown store type 'nosuch'"),
        ("[audit]\nclose_on = common\n", 2, "blank and default must always close"),
        ("[audit]\ndepth = deep\n", 2, "expected one of fast|full"),
        ("[migration]\nfirst_boot = maybe\n", 2, "none|random|user|lock"),
        ("[varlink]\nmax_clients = 0\n", 2, "from 1 to 4096"),
        ("backend = none\n", 1, "outside any section"),
        ("[gate\n", 1, "syntax error"),
        ("[product]\nmodel = " + "x" * 300 + "\n", 2, "line longer than"),
    ]
    for text, line, msg in cases:
        path = os.path.join(TMP, "bad.conf")
        with open(path, "w") as f:
            f.write(text)
        r = subprocess.run([CREDGATE, "support", "--offline", "--config", path,
                            "--os-release", OS_RELEASE, "--state-dir", TMP], capture_output=True, text=True)
        tap(r.returncode == 2 and ("%s:%d:" % (path, line)) in r.stderr and msg in r.stderr,
            "config error reported as file:%d: %s" % (line, msg), r.stderr)
    r = subprocess.run([CREDGATED, "--backend", "none", "--config", path, "--socket", os.path.join(TMP, "s"),
                        "--state-dir", TMP, "--foreground"], capture_output=True, text=True, timeout=10)
    tap(r.returncode == 2 and "line longer than" in r.stderr, "credgated refuses to start on a bad config (exit 2)", r.stderr)
    path = os.path.join(TMP, "example.conf")
    example = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "etc", "credgate.conf")
    r = subprocess.run([CREDGATE, "support", "--offline", "--config", example, "--os-release", OS_RELEASE,
                        "--state-dir", TMP], capture_output=True, text=True)
    tap(r.returncode == 0, "the shipped example etc/credgate.conf parses", r.stderr)


def main():
    for b in (CREDGATED, CREDGATE):
        if not os.access(b, os.X_OK):
            print("1..0 # SKIP %s not built (make)" % b)
            return 0
    a = Agent("main", CONFIG)
    try:
        if not tap(a.alive() and os.path.exists(a.socket), "credgated --backend none starts and listens", a.stderr()):
            return 1
        st = os.stat(a.socket).st_mode & 0o777
        tap(st == 0o666, "the socket is mode 0666 (public information)", oct(st))
        test_methods(a)
        test_disclosure(a)
        test_no_secret_anywhere(a)
        test_cli(a)
        test_robustness(a)
        rc = a.stop()
        tap(rc == 0 and not os.path.exists(a.socket), "SIGTERM: clean exit, socket removed", rc)
    finally:
        a.stop()
    test_limits()
    test_floor()
    test_past_end()
    test_detach()
    test_config_errors()
    print("1..%d" % n_test)
    return 1 if n_fail else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        subprocess.run(["rm", "-rf", TMP])
