// SPDX-License-Identifier: GPL-2.0-only
/*
 * credgate: refuse network-facing services while the device still holds a
 * blank or default password.
 *
 * While the gate is closed, bind() of an inet socket (AF_INET, AF_INET6,
 * AF_SMC) to a non-loopback address and listen() on such a socket are
 * refused, unless the port is allow-listed; so are the extra addresses of
 * an SCTP endpoint (sctp_bindx(), ASCONF ADD_IP), and every address it
 * holds at listen().  Families that can carry connections from other
 * machines, and families policy.h does not know, are refused by family;
 * local-only families are never gated.  The decision itself lives in
 * policy.h and is shared with the BPF backend and userspace; this file
 * only gathers the addresses, applies the verdict, counts and reports.
 *
 * A userspace agent opens the gate once every credential store is clean.
 * Interface: securityfs, /sys/kernel/security/credgate/ (state, mode,
 * allow_ports, lock, stats).  "lock" freezes mode and allow list until
 * reboot; the gate state stays writable so the agent can close it again.
 */

#define pr_fmt(fmt) "credgate: " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/ctype.h>
#include <linux/fs.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/lsm_audit.h>
#include <linux/lsm_hooks.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/net.h>
#include <linux/ratelimit.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/security.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <net/inet_sock.h>
#include <net/sock.h>
#if IS_ENABLED(CONFIG_IP_SCTP)
#include <linux/sctp.h>
#include <net/sctp/sctp.h>
#endif

#include "policy.h"

#if defined(CONFIG_SECURITY_CREDGATE_DEFAULT_MODE_PERMISSIVE)
#define CREDGATE_DEFAULT_MODE	CREDGATE_MODE_PERMISSIVE
#elif defined(CONFIG_SECURITY_CREDGATE_DEFAULT_MODE_OFF)
#define CREDGATE_DEFAULT_MODE	CREDGATE_MODE_OFF
#else
#define CREDGATE_DEFAULT_MODE	CREDGATE_MODE_ENFORCE
#endif

/*
 * Mode, lock flag and allow list are replaced as a whole under RCU, so a
 * hook always decides on one consistent snapshot.  The boot-time copy is
 * static (it is set up before the allocators matter) and never freed.
 * The allow list makes a policy 32 KiB (a bitmap per protocol): it is
 * allocated with kvzalloc() and freed with kvfree_rcu(), so that a write
 * does not depend on an order-4 page; kvfree_rcu() needs the rcu_head
 * within the first 4 KiB: it goes first.
 */
struct credgate_policy {
	struct rcu_head rcu;
	struct credgate_config cfg;
};

static struct credgate_policy credgate_boot_policy = {
	.cfg.mode = CREDGATE_DEFAULT_MODE,
};

static struct credgate_policy __rcu *credgate_policy =
	RCU_INITIALIZER(&credgate_boot_policy);

/* Serialises policy replacement (mode, allow_ports, lock writes). */
static DEFINE_MUTEX(credgate_policy_lock);

/* The gate state is one word, read with READ_ONCE() by the hooks. */
static u32 credgate_state = IS_ENABLED(CONFIG_SECURITY_CREDGATE_START_OPEN) ?
			    CREDGATE_OPEN : CREDGATE_CLOSED;

static atomic_long_t credgate_counters[CREDGATE_NR_COUNTERS];

static bool credgate_enabled __ro_after_init;

static int credgate_parse_mode(const char *str)
{
	u32 mode;

	for (mode = CREDGATE_MODE_ENFORCE; mode <= CREDGATE_MODE_OFF; mode++)
		if (sysfs_streq(str, credgate_mode_name(mode)))
			return mode;
	return -EINVAL;
}

static int credgate_parse_state(const char *str)
{
	if (sysfs_streq(str, credgate_state_name(CREDGATE_OPEN)))
		return CREDGATE_OPEN;
	if (sysfs_streq(str, credgate_state_name(CREDGATE_CLOSED)))
		return CREDGATE_CLOSED;
	return -EINVAL;
}

/*
 * Boot parameters credgate.mode= and credgate.state= (built-in module
 * parameters, parsed before the LSM initialises).  A bad value fails
 * closed: the gate boots closed and enforcing, whatever the Kconfig
 * defaults, and the parameter parser reports the value.
 */
static int credgate_mode_param_set(const char *val,
				   const struct kernel_param *kp)
{
	int mode = credgate_parse_mode(val);

	if (mode < 0) {
		credgate_boot_policy.cfg.mode = CREDGATE_MODE_ENFORCE;
		return mode;
	}
	credgate_boot_policy.cfg.mode = mode;
	return 0;
}

static const struct kernel_param_ops credgate_mode_param_ops = {
	.set = credgate_mode_param_set,
};
module_param_cb(mode, &credgate_mode_param_ops, NULL, 0);
MODULE_PARM_DESC(mode, "Mode at boot: enforce, permissive or off");

static int credgate_state_param_set(const char *val,
				    const struct kernel_param *kp)
{
	int state = credgate_parse_state(val);

	if (state < 0) {
		credgate_state = CREDGATE_CLOSED;
		return state;
	}
	credgate_state = state;
	return 0;
}

static const struct kernel_param_ops credgate_state_param_ops = {
	.set = credgate_state_param_set,
};
module_param_cb(state, &credgate_state_param_ops, NULL, 0);
MODULE_PARM_DESC(state, "Gate state at boot: closed or open");

/* The word used in the log line, the audit record and the stats file. */
#ifdef CONFIG_AUDIT
struct credgate_audit {
	struct common_audit_data ad;
	struct lsm_network_audit net;
	int hook;
	int action;
};

static void credgate_audit_pre(struct audit_buffer *ab, void *data)
{
	struct credgate_audit *ca = container_of(data, struct credgate_audit, ad);

	audit_log_format(ab, "lsm=credgate op=%s action=%s",
			 credgate_hook_name(ca->hook),
			 credgate_action_name(ca->action));
}

static void credgate_audit(int hook, int action, const struct credgate_addr *a)
{
	struct credgate_audit ca = {
		.ad.type = LSM_AUDIT_DATA_NET,
		.hook = hook,
		.action = action,
	};

	ca.ad.u.net = &ca.net;
	ca.net.family = a->family;
	ca.net.sport = htons(a->port);
	if (a->family == CREDGATE_AF_INET6)
		memcpy(&ca.net.v6info.saddr, a->addr, sizeof(struct in6_addr));
	else if (a->family == CREDGATE_AF_INET)
		memcpy(&ca.net.v4info.saddr, a->addr, sizeof(__be32));
	common_lsm_audit(&ca.ad, credgate_audit_pre, NULL);
}
#else
static inline void credgate_audit(int hook, int action,
				  const struct credgate_addr *a)
{
}
#endif

/* Count the event, log one line (rate limited) and an audit record. */
static void credgate_report(int hook, int action, const struct credgate_addr *a)
{
	static DEFINE_RATELIMIT_STATE(credgate_log_rs, DEFAULT_RATELIMIT_INTERVAL,
				      DEFAULT_RATELIMIT_BURST);
	const char *verdict = credgate_action_name(action);
	char comm[TASK_COMM_LEN];
	pid_t pid = task_tgid_nr(current);
	uid_t uid = from_kuid(&init_user_ns, current_uid());

	atomic_long_inc(&credgate_counters[credgate_counter_index(hook, action)]);

	if (__ratelimit(&credgate_log_rs)) {
		get_task_comm(comm, current);
		if (a->family == CREDGATE_AF_INET6)
			pr_notice("%s %s comm=%s pid=%d uid=%u addr=%pI6c port=%u\n",
				  verdict, credgate_hook_name(hook), comm, pid,
				  uid, a->addr, a->port);
		else if (a->family == CREDGATE_AF_INET)
			pr_notice("%s %s comm=%s pid=%d uid=%u addr=%pI4 port=%u\n",
				  verdict, credgate_hook_name(hook), comm, pid,
				  uid, a->addr, a->port);
		else
			pr_notice("%s %s comm=%s pid=%d uid=%u family=%u\n",
				  verdict, credgate_hook_name(hook), comm, pid,
				  uid, a->family);
	}

	credgate_audit(hook, action, a);
}

static int credgate_judge(int hook, const struct credgate_addr *a)
{
	const struct credgate_policy *pol;
	int action;

	rcu_read_lock();
	pol = rcu_dereference(credgate_policy);
	action = credgate_decide(READ_ONCE(credgate_state), &pol->cfg, hook, a);
	rcu_read_unlock();
	return action;
}

/* Report a verdict that is not ALLOW; returns the hook's return value. */
static int credgate_apply(int hook, int action, const struct credgate_addr *a)
{
	if (action == CREDGATE_ALLOW)
		return 0;
	credgate_report(hook, action, a);
	return action == CREDGATE_REFUSE ? -EACCES : 0;
}

static int credgate_check(int hook, const struct credgate_addr *a)
{
	return credgate_apply(hook, credgate_judge(hook, a), a);
}

/* Refused by family (or unreadable: CREDGATE_AF_UNSPEC). */
static int credgate_check_family(int hook, int family)
{
	struct credgate_addr a = { .family = family };

	return credgate_check(hook, &a);
}

/*
 * Fill @a from @sa, read as @family (credgate_bind_family() checked the
 * length).  The port stays 0 when @family is 0.
 */
static void credgate_read_sockaddr(const struct sockaddr *sa, int family,
				   struct credgate_addr *a)
{
	a->family = family;
	if (family == CREDGATE_AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

		a->port = ntohs(sin->sin_port);
		memcpy(a->addr, &sin->sin_addr, sizeof(sin->sin_addr));
	} else if (family == CREDGATE_AF_INET6) {
		const struct sockaddr_in6 *sin6 =
			(const struct sockaddr_in6 *)sa;

		a->port = ntohs(sin6->sin6_port);
		memcpy(a->addr, &sin6->sin6_addr, sizeof(sin6->sin6_addr));
	}
}

static int credgate_socket_bind(struct socket *sock, struct sockaddr *address,
				int addrlen)
{
	struct sock *sk = sock->sk;
	int family = sk->sk_family;
	struct credgate_addr a = {};
	int sa_family = AF_UNSPEC;

	switch (credgate_family_rule(family)) {
	case CREDGATE_FAMILY_LOCAL:
		return 0;
	case CREDGATE_FAMILY_INET:
		break;
	default:
		return credgate_check_family(CREDGATE_HOOK_BIND, family);
	}

	if (addrlen >= (int)offsetofend(struct sockaddr, sa_family))
		sa_family = address->sa_family;
	a.proto = credgate_proto(family, sk->sk_type, sk->sk_protocol);
	family = credgate_bind_family(family, sa_family, addrlen);
	if (!family)
		return 0;	/* the kernel rejects this address */
	credgate_read_sockaddr(address, family, &a);
	return credgate_check(CREDGATE_HOOK_BIND, &a);
}

#if IS_ENABLED(CONFIG_IP_SCTP)
/* SOCK_RAW sockets may name IPPROTO_SCTP too: they are no sctp_sock. */
static bool credgate_is_sctp(const struct sock *sk)
{
	return sk->sk_protocol == IPPROTO_SCTP &&
	       (sk->sk_type == SOCK_STREAM || sk->sk_type == SOCK_SEQPACKET);
}

static void credgate_read_sctp_addr(const union sctp_addr *sa, u16 port,
				    struct credgate_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (sa->sa.sa_family == AF_INET) {
		a->family = CREDGATE_AF_INET;
		memcpy(a->addr, &sa->v4.sin_addr, sizeof(sa->v4.sin_addr));
	} else if (sa->sa.sa_family == AF_INET6) {
		a->family = CREDGATE_AF_INET6;
		memcpy(a->addr, &sa->v6.sin6_addr, sizeof(sa->v6.sin6_addr));
	}
	/* Anything else stays CREDGATE_AF_UNSPEC: refused. */
	a->port = port;
	a->proto = CREDGATE_PROTO_SCTP;
}

/*
 * listen() on an SCTP endpoint: every bound address must pass, not just
 * the first one (inet_rcv_saddr).  The list is RCU-protected.  An empty
 * list means listen() autobinds to the wildcard address: refused.  One
 * listen() is reported once, for its first refused address.
 */
static int credgate_sctp_listen(struct sock *sk)
{
	struct sctp_bind_addr *bp = &sctp_sk(sk)->ep->base.bind_addr;
	u16 port = READ_ONCE(inet_sk(sk)->inet_num);
	struct sctp_sockaddr_entry *e;
	struct credgate_addr a = {};
	int action = CREDGATE_ALLOW;
	bool empty = true;

	rcu_read_lock();
	list_for_each_entry_rcu(e, &bp->address_list, list) {
		empty = false;
		credgate_read_sctp_addr(&e->a, port, &a);
		action = credgate_judge(CREDGATE_HOOK_LISTEN, &a);
		if (action != CREDGATE_ALLOW)
			break;
	}
	rcu_read_unlock();

	if (empty) {
		memset(&a, 0, sizeof(a));
		a.family = sk->sk_family;
		a.proto = CREDGATE_PROTO_SCTP;
		action = credgate_judge(CREDGATE_HOOK_LISTEN, &a);
	}
	return credgate_apply(CREDGATE_HOOK_LISTEN, action, &a);
}

/*
 * The addresses of sctp_bindx(SCTP_BINDX_ADD_ADDR) (a packed array that
 * sctp_setsockopt_bindx() has already walked and sized) and of an ASCONF
 * ADD_IP parameter are judged like bind().  A port of 0 in bindx means
 * the endpoint's port when it is already bound.
 */
static int credgate_sctp_bind_connect(struct sock *sk, int optname,
				      struct sockaddr *address, int addrlen)
{
	u16 bound = READ_ONCE(inet_sk(sk)->inet_num);
	int action = CREDGATE_ALLOW, off = 0, len;
	struct credgate_addr a = {};

	if (optname != SCTP_SOCKOPT_BINDX_ADD && optname != SCTP_PARAM_ADD_IP)
		return 0;

	while (off < addrlen && action == CREDGATE_ALLOW) {
		const union sctp_addr *sa = (void *)address + off;

		len = addrlen - off;
		if (len >= (int)sizeof(sa_family_t)) {
			if (sa->sa.sa_family == AF_INET)
				len = sizeof(struct sockaddr_in);
			else if (sa->sa.sa_family == AF_INET6)
				len = sizeof(struct sockaddr_in6);
		}
		if (len > addrlen - off || len < (int)sizeof(struct sockaddr_in)) {
			/* Not a whole address: cannot be judged, refused. */
			memset(&a, 0, sizeof(a));
		} else {
			credgate_read_sctp_addr(sa, ntohs(sa->v4.sin_port), &a);
			if (!a.port)
				a.port = bound;
		}
		action = credgate_judge(CREDGATE_HOOK_BIND, &a);
		off += len;
	}
	return credgate_apply(CREDGATE_HOOK_BIND, action, &a);
}
#else
static inline bool credgate_is_sctp(const struct sock *sk)
{
	return false;
}

static inline int credgate_sctp_listen(struct sock *sk)
{
	return 0;
}
#endif

/*
 * AF_SMC: smc_listen() calls kernel_listen() on an internal TCP socket,
 * which runs no LSM hook, so the AF_SMC socket is judged here by the
 * address of that internal socket (smc_getname() reports it).  An address
 * that cannot be read is refused.
 */
static int credgate_smc_listen(struct socket *sock)
{
	struct sockaddr_storage ss = {};
	struct credgate_addr a = {};
	int len, family = 0;

	len = kernel_getsockname(sock, (struct sockaddr *)&ss);
	if (len >= 0)
		family = credgate_bind_family(AF_SMC, ss.ss_family, len);
	credgate_read_sockaddr((struct sockaddr *)&ss, family, &a);
	a.proto = credgate_proto(AF_SMC, sock->sk->sk_type, 0);
	return credgate_check(CREDGATE_HOOK_LISTEN, &a);
}

/* listen() without bind() autobinds to the wildcard address: port 0 here. */
static int credgate_socket_listen(struct socket *sock, int backlog)
{
	struct sock *sk = sock->sk;
	struct credgate_addr a = {};

	switch (credgate_family_rule(sk->sk_family)) {
	case CREDGATE_FAMILY_LOCAL:
		return 0;
	case CREDGATE_FAMILY_INET:
		break;
	default:
		return credgate_check_family(CREDGATE_HOOK_LISTEN,
					     sk->sk_family);
	}

	switch (sk->sk_family) {
	case AF_INET:
		a.family = CREDGATE_AF_INET;
		memcpy(a.addr, &inet_sk(sk)->inet_rcv_saddr, sizeof(__be32));
		break;
#if IS_ENABLED(CONFIG_IPV6)
	case AF_INET6:
		a.family = CREDGATE_AF_INET6;
		memcpy(a.addr, &sk->sk_v6_rcv_saddr, sizeof(struct in6_addr));
		break;
#endif
	case AF_SMC:
		return credgate_smc_listen(sock);
	default:
		/* AF_INET6 without IPv6: no such socket; refuse anyway. */
		return credgate_check_family(CREDGATE_HOOK_LISTEN,
					     CREDGATE_AF_UNSPEC);
	}
	if (credgate_is_sctp(sk))
		return credgate_sctp_listen(sk);
	a.port = READ_ONCE(inet_sk(sk)->inet_num);
	a.proto = credgate_proto(sk->sk_family, sk->sk_type, sk->sk_protocol);

	return credgate_check(CREDGATE_HOOK_LISTEN, &a);
}

/*
 * Linux 6.8 gave every LSM an ID (LSM_ID_* in uapi <linux/lsm.h>, pulled
 * in by <linux/lsm_hooks.h>): security_add_hooks() takes a struct lsm_id
 * instead of the name, and __lsm_ro_after_init is gone (the hooks are
 * static calls, always read-only after init).  LSM_ID_UNDEF exists from
 * 6.8 on; LSM_ID_CREDGATE is added to that header with the LSM.
 */
#ifdef LSM_ID_UNDEF
static const struct lsm_id credgate_lsmid = {
	.name = "credgate",
	.id = LSM_ID_CREDGATE,
};

#define CREDGATE_LSMID (&credgate_lsmid)
#define __credgate_hooks_ro __ro_after_init
#else
#define CREDGATE_LSMID "credgate"
#define __credgate_hooks_ro __lsm_ro_after_init
#endif

static struct security_hook_list credgate_hooks[] __credgate_hooks_ro = {
	LSM_HOOK_INIT(socket_bind, credgate_socket_bind),
	LSM_HOOK_INIT(socket_listen, credgate_socket_listen),
#if IS_ENABLED(CONFIG_IP_SCTP)
	LSM_HOOK_INIT(sctp_bind_connect, credgate_sctp_bind_connect),
#endif
};

static int __init credgate_init(void)
{
	static const u16 default_udp[] __initconst = CREDGATE_DEFAULT_ALLOW_UDP;
	int i;

	BUILD_BUG_ON(CREDGATE_AF_INET != AF_INET);
	BUILD_BUG_ON(CREDGATE_AF_INET6 != AF_INET6);
	BUILD_BUG_ON(CREDGATE_AF_UNSPEC != AF_UNSPEC);
	BUILD_BUG_ON(CREDGATE_AF_UNIX != AF_UNIX);
	BUILD_BUG_ON(CREDGATE_AF_NETLINK != AF_NETLINK);
	BUILD_BUG_ON(CREDGATE_AF_PACKET != AF_PACKET);
	BUILD_BUG_ON(CREDGATE_AF_KEY != AF_KEY);
	BUILD_BUG_ON(CREDGATE_AF_ALG != AF_ALG);
	BUILD_BUG_ON(CREDGATE_AF_KCM != AF_KCM);
	BUILD_BUG_ON(CREDGATE_AF_QIPCRTR != AF_QIPCRTR);
	BUILD_BUG_ON(CREDGATE_AF_SMC != AF_SMC);
	BUILD_BUG_ON(CREDGATE_AF_TIPC != AF_TIPC);
	BUILD_BUG_ON(CREDGATE_AF_MCTP != AF_MCTP);
	BUILD_BUG_ON(sizeof(struct sockaddr_in) != CREDGATE_SIN_LEN);

	BUILD_BUG_ON(CREDGATE_IPPROTO_TCP != IPPROTO_TCP);
	BUILD_BUG_ON(CREDGATE_IPPROTO_UDP != IPPROTO_UDP);
	BUILD_BUG_ON(CREDGATE_IPPROTO_SCTP != IPPROTO_SCTP);
	BUILD_BUG_ON(CREDGATE_IPPROTO_UDPLITE != IPPROTO_UDPLITE);
	BUILD_BUG_ON(CREDGATE_IPPROTO_MPTCP != IPPROTO_MPTCP);
	BUILD_BUG_ON(CREDGATE_SOCK_STREAM != SOCK_STREAM);
	BUILD_BUG_ON(CREDGATE_SOCK_DGRAM != SOCK_DGRAM);
	BUILD_BUG_ON(CREDGATE_SOCK_SEQPACKET != SOCK_SEQPACKET);

	for (i = 0; i < ARRAY_SIZE(default_udp); i++)
		credgate_port_set(&credgate_boot_policy.cfg, CREDGATE_PROTO_UDP,
				  default_udp[i], 1);

	security_add_hooks(credgate_hooks, ARRAY_SIZE(credgate_hooks),
			   CREDGATE_LSMID);
	credgate_enabled = true;
	pr_info("initialized: gate %s, mode %s\n",
		credgate_state_name(credgate_state),
		credgate_mode_name(credgate_boot_policy.cfg.mode));
	return 0;
}

DEFINE_LSM(credgate) = {
	.name = "credgate",
	.init = credgate_init,
};

/* securityfs interface */

enum credgate_field {
	CREDGATE_SET_MODE,
	CREDGATE_SET_ALLOW,
	CREDGATE_SET_LOCK,
};

/*
 * Install @new, taking from the current policy every field but @field.
 * Takes ownership of @new.  Nothing changes when mode and allow list are
 * locked.
 */
static int credgate_policy_update(struct credgate_policy *new,
				  enum credgate_field field)
{
	struct credgate_policy *old;
	int err = 0;

	mutex_lock(&credgate_policy_lock);
	old = rcu_dereference_protected(credgate_policy,
					lockdep_is_held(&credgate_policy_lock));
	if (old->cfg.locked) {
		/* Locking again is a no-op; anything else is frozen. */
		err = field == CREDGATE_SET_LOCK ? 0 : -EPERM;
		goto out;
	}
	if (field != CREDGATE_SET_MODE)
		new->cfg.mode = old->cfg.mode;
	if (field != CREDGATE_SET_ALLOW)
		memcpy(new->cfg.allow, old->cfg.allow, sizeof(new->cfg.allow));
	new->cfg.locked = field == CREDGATE_SET_LOCK;

	rcu_assign_pointer(credgate_policy, new);
	if (old != &credgate_boot_policy)
		kvfree_rcu(old, rcu);
	new = NULL;
out:
	mutex_unlock(&credgate_policy_lock);
	kvfree(new);
	return err;
}

static bool credgate_locked(void)
{
	bool locked;

	rcu_read_lock();
	locked = rcu_dereference(credgate_policy)->cfg.locked;
	rcu_read_unlock();
	return locked;
}

/*
 * Checks common to every write, then a NUL-terminated kernel copy of the
 * data.  Both the opener and the writer need CAP_MAC_ADMIN in the initial
 * user namespace: a privileged descriptor handed to an unprivileged process
 * (or the reverse) must not change the gate.
 */
static char *credgate_write_buf(struct file *file, const char __user *ubuf,
				size_t len, loff_t *ppos)
{
	char *buf;

	if (!file_ns_capable(file, &init_user_ns, CAP_MAC_ADMIN) ||
	    !capable(CAP_MAC_ADMIN))
		return ERR_PTR(-EPERM);
	if (*ppos != 0 || len > PAGE_SIZE)
		return ERR_PTR(-EINVAL);

	buf = memdup_user_nul(ubuf, len);
	if (IS_ERR(buf))
		return buf;
	if (strlen(buf) != len) {
		kfree(buf);
		return ERR_PTR(-EINVAL);
	}
	return buf;
}

static int credgate_state_write(char *buf)
{
	int state = credgate_parse_state(buf);

	if (state < 0)
		return state;
	if (xchg(&credgate_state, state) != state)
		pr_notice("gate %s by pid=%d uid=%u\n",
			  credgate_state_name(state), task_tgid_nr(current),
			  from_kuid(&init_user_ns, current_uid()));
	return 0;
}

static int credgate_mode_write(char *buf)
{
	struct credgate_policy *new;
	int mode;

	if (credgate_locked())
		return -EPERM;
	mode = credgate_parse_mode(buf);
	if (mode < 0)
		return mode;

	new = kvzalloc(sizeof(*new), GFP_KERNEL);
	if (!new)
		return -ENOMEM;
	new->cfg.mode = mode;
	return credgate_policy_update(new, CREDGATE_SET_MODE);
}

/* Decimal digits only: no sign, no base prefix. */
static int credgate_parse_port(const char *tok)
{
	unsigned int port;
	const char *p;

	if (!*tok)
		return -EINVAL;
	for (p = tok; *p; p++)
		if (!isdigit(*p))
			return -EINVAL;
	if (kstrtouint(tok, 10, &port) || port < 1 || port > U16_MAX)
		return -EINVAL;
	return port;
}

/*
 * allow_ports takes entries "PROTO:PORT" (udp, tcp, sctp) separated by
 * white space and replaces the whole list.  A bare port (the syntax before
 * protocols) is refused with a hint at the new one.
 */
static int credgate_allow_ports_write(char *buf)
{
	struct credgate_policy *new;
	int port, proto;
	char *tok, *colon;

	if (credgate_locked())
		return -EPERM;

	new = kvzalloc(sizeof(*new), GFP_KERNEL);
	if (!new)
		return -ENOMEM;

	while ((tok = strsep(&buf, " \t\n\v\f\r")) != NULL) {
		if (!*tok)
			continue;
		colon = strchr(tok, ':');
		if (!colon) {
			if (credgate_parse_port(tok) > 0)
				pr_notice_ratelimited("allow_ports: '%s' names no protocol: write udp:%s, tcp:%s or sctp:%s\n",
						      tok, tok, tok, tok);
			goto inval;
		}
		proto = credgate_proto_parse(tok, colon - tok);
		port = credgate_parse_port(colon + 1);
		if (proto < 0 || port < 0)
			goto inval;
		credgate_port_set(&new->cfg, proto, port, 1);
	}
	return credgate_policy_update(new, CREDGATE_SET_ALLOW);
inval:
	kvfree(new);
	return -EINVAL;
}

static int credgate_lock_write(char *buf)
{
	struct credgate_policy *new;

	if (!sysfs_streq(buf, "1"))
		return -EINVAL;

	new = kvzalloc(sizeof(*new), GFP_KERNEL);
	if (!new)
		return -ENOMEM;
	return credgate_policy_update(new, CREDGATE_SET_LOCK);
}

static int credgate_state_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%s\n", credgate_state_name(READ_ONCE(credgate_state)));
	return 0;
}

static int credgate_mode_show(struct seq_file *m, void *v)
{
	u32 mode;

	rcu_read_lock();
	mode = rcu_dereference(credgate_policy)->cfg.mode;
	rcu_read_unlock();
	seq_printf(m, "%s\n", credgate_mode_name(mode));
	return 0;
}

static int credgate_lock_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%d\n", credgate_locked());
	return 0;
}

static int credgate_allow_ports_show(struct seq_file *m, void *v)
{
	const struct credgate_policy *pol;
	const char *sep = "";
	const u32 *words;
	u32 port;
	int proto;

	mutex_lock(&credgate_policy_lock);
	pol = rcu_dereference_protected(credgate_policy,
					lockdep_is_held(&credgate_policy_lock));
	for (proto = CREDGATE_PROTO_UDP; proto < CREDGATE_PROTO_MAX; proto++) {
		words = pol->cfg.allow + proto * CREDGATE_PORT_WORDS;
		for (port = 1; port <= U16_MAX; port++) {
			if (!words[port >> 5]) {
				port |= 31;	/* skip an empty word */
				continue;
			}
			if (credgate_port_allowed(&pol->cfg, proto, port)) {
				seq_printf(m, "%s%s:%u", sep,
					   credgate_proto_name(proto), port);
				sep = " ";
			}
		}
	}
	mutex_unlock(&credgate_policy_lock);
	seq_putc(m, '\n');
	return 0;
}

static int credgate_stats_show(struct seq_file *m, void *v)
{
	int idx;

	for (idx = 0; idx < CREDGATE_NR_COUNTERS; idx++)
		seq_printf(m, "%s %ld\n", credgate_counter_name(idx),
			   atomic_long_read(&credgate_counters[idx]));
	return 0;
}

struct credgate_file {
	const char *name;
	umode_t mode;
	int (*show)(struct seq_file *m, void *v);
	int (*write)(char *buf);	/* NULL: read-only */
};

static const struct credgate_file credgate_files[] = {
	{ "state", 0644, credgate_state_show, credgate_state_write },
	{ "mode", 0644, credgate_mode_show, credgate_mode_write },
	{ "allow_ports", 0644, credgate_allow_ports_show,
	  credgate_allow_ports_write },
	{ "lock", 0644, credgate_lock_show, credgate_lock_write },
	{ "stats", 0444, credgate_stats_show, NULL },
};

static int credgate_file_open(struct inode *inode, struct file *file)
{
	const struct credgate_file *cf = inode->i_private;
	int err;

	err = single_open(file, cf->show, NULL);
	if (err)
		return err;
	/*
	 * seq_open() turns pread/pwrite off, but writes do not go through
	 * seq_file: let pwrite() reach credgate_file_write(), which refuses
	 * any offset but 0 with -EINVAL like every other write.
	 */
	file->f_mode |= FMODE_PWRITE;
	return 0;
}

static ssize_t credgate_file_write(struct file *file, const char __user *ubuf,
				   size_t len, loff_t *ppos)
{
	const struct credgate_file *cf = file_inode(file)->i_private;
	char *buf;
	int err;

	if (!cf->write)
		return -EINVAL;
	buf = credgate_write_buf(file, ubuf, len, ppos);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	err = cf->write(buf);
	kfree(buf);
	return err ? err : len;
}

static const struct file_operations credgate_file_fops = {
	.open = credgate_file_open,
	.read = seq_read,
	.write = credgate_file_write,
	.llseek = seq_lseek,
	.release = single_release,
};

static int __init credgate_init_securityfs(void)
{
	static struct dentry *dentries[ARRAY_SIZE(credgate_files) + 1];
	struct dentry *dir;
	int i;

	if (!credgate_enabled)
		return 0;

	dir = securityfs_create_dir("credgate", NULL);
	if (IS_ERR(dir))
		return PTR_ERR(dir);
	dentries[0] = dir;

	for (i = 0; i < ARRAY_SIZE(credgate_files); i++) {
		const struct credgate_file *cf = &credgate_files[i];
		struct dentry *d;

		d = securityfs_create_file(cf->name, cf->mode, dir, (void *)cf,
					   &credgate_file_fops);
		if (IS_ERR(d)) {
			pr_err("cannot create securityfs file %s: %ld\n",
			       cf->name, PTR_ERR(d));
			while (i >= 0)
				securityfs_remove(dentries[i--]);
			return PTR_ERR(d);
		}
		dentries[i + 1] = d;
	}
	return 0;
}
fs_initcall(credgate_init_securityfs);
