// SPDX-License-Identifier: MIT
/*
 * Unit tests of libcredgate's config parser, metadata validation and the
 * Varlink request dispatcher (run under ASan+UBSan by scripts/check).
 */
#include <stdlib.h>
#include <sys/stat.h>

#include <credgate/policy.h>

#include "config/config.h"
#include "config/metadata.h"
#include "base/util.h"
#include "varlink/varlink.h"

#include "kselftest_harness.h"

TEST(dates)
{
	long d;

	ASSERT_EQ(0, cg_date_parse("1970-01-01", &d));
	ASSERT_EQ(0, d);
	ASSERT_EQ(0, cg_date_parse("2000-03-01", &d));
	ASSERT_EQ(11017, d);
	ASSERT_EQ(0, cg_date_parse("2024-02-29", NULL));
	ASSERT_EQ(0, cg_date_parse("2000-02-29", NULL));
	ASSERT_EQ(-EINVAL, cg_date_parse("2100-02-29", NULL));
	ASSERT_EQ(-EINVAL, cg_date_parse("2023-02-29", NULL));
	ASSERT_EQ(-EINVAL, cg_date_parse("2031-04-31", NULL));
	ASSERT_EQ(-EINVAL, cg_date_parse("2031-13-01", NULL));
	ASSERT_EQ(-EINVAL, cg_date_parse("2031-1-01", NULL));
	ASSERT_EQ(-EINVAL, cg_date_parse("2031-01-01 ", NULL));
	ASSERT_EQ(-EINVAL, cg_date_parse("20310101", NULL));
	ASSERT_EQ(-EINVAL, cg_date_parse("", NULL));
	ASSERT_EQ(-EINVAL, cg_date_parse("2031-01-0", NULL));
	ASSERT_EQ(19000, cg_day_of(19000L * 86400 + 86399));
}

TEST(contacts)
{
	static const char *const good[] = {
		"mailto:security@example.com", "mailto:psirt+iot@sub.example.co.uk",
		"https://example.com/security", "https://example.com:8443/x?y=1",
		"tel:+44-20-7946-0000", "tel:+1.555.0100",
	};
	static const char *const bad[] = {
		"security@example.com", "mailto:", "mailto:@example.com", "mailto:a@b",
		"mailto:a@@example.com", "http://example.com/", "https://", "https://-x.com/",
		"https://example.com:0/", "https://example.com:99999/", "https://exa mple.com/",
		"tel:12345", "tel:+1", "tel:+1a23", "ftp://example.com/", "",
	};
	const char *why;

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		EXPECT_TRUE(cg_contact_uri_valid(good[i], &why)) TH_LOG("%s", good[i]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_FALSE(cg_contact_uri_valid(bad[i], &why)) TH_LOG("%s", bad[i]);
	}
	EXPECT_TRUE(cg_language_tag_valid("pt-BR", &why));
	EXPECT_FALSE(cg_language_tag_valid("e", &why));
	EXPECT_FALSE(cg_language_tag_valid("en-", &why));
	EXPECT_FALSE(cg_language_tag_valid("1en", &why));
}

TEST(config_full)
{
	static const char text[] =
		"# comment\n"
		"[gate]\nbackend = none\nmode = permissive\nallow_ports = tcp:8443 udp:68, udp:68\nlock = yes\n"
		"[audit]\nstores = shadow:/etc/shadow\nstores = htpasswd:/etc/www.htpasswd\n"
		"depth = fast\nclose_on = blank default unknown\ntime_limit = 30\n"
		"[migration]\nfirst_boot = user\n"
		"[product]\nmanufacturer = ACME\nsupport_end = 2030-06-30\n"
		"contact = mailto:psirt@acme.example, tel:+49-30-1234567\n"
		"preferred_languages = de en\nacknowledgement_days = 7\n"
		"[varlink]\nmax_clients = 8\nidle_timeout = 5\n";
	struct cg_config c;

	ASSERT_EQ(0, cg_config_load_string(&c, "t.conf", text));
	EXPECT_EQ(CG_BACKEND_NONE, c.gate.backend);
	EXPECT_EQ(CREDGATE_MODE_PERMISSIVE, c.gate.mode);
	EXPECT_TRUE(c.gate.lock);
	ASSERT_EQ(2, c.gate.n_allow_ports);
	EXPECT_EQ(CG_ALLOW_ENTRY(CREDGATE_PROTO_UDP, 68), c.gate.allow_ports[0]);
	EXPECT_EQ(CG_ALLOW_ENTRY(CREDGATE_PROTO_TCP, 8443), c.gate.allow_ports[1]);
	ASSERT_EQ(2, c.audit.n_stores);
	EXPECT_STREQ("htpasswd", c.audit.stores[1].type);
	EXPECT_STREQ("/etc/www.htpasswd", c.audit.stores[1].path);
	EXPECT_EQ(CG_DEPTH_FAST, c.audit.depth);
	EXPECT_EQ((1u << CG_VERDICT_BLANK) | (1u << CG_VERDICT_DEFAULT) | (1u << CG_VERDICT_UNKNOWN),
		  c.audit.close_on);
	EXPECT_EQ(30, c.audit.time_limit);
	EXPECT_EQ(CG_POLICY_USER, c.migration.first_boot);
	EXPECT_STREQ("2030-06-30", c.product.support_end);
	EXPECT_EQ(17, c.product.support_end_origin.line);
	ASSERT_EQ(2, c.product.n_contacts);
	EXPECT_STREQ("tel:+49-30-1234567", c.product.contacts[1]);
	EXPECT_EQ(2, c.product.n_preferred_languages);
	EXPECT_EQ(7, c.product.acknowledgement_days);
	EXPECT_EQ(-1, c.product.status_update_days);
	EXPECT_EQ(8, c.varlink.max_clients);
	cg_config_free(&c);

	/* An empty file means the defaults. */
	ASSERT_EQ(0, cg_config_load_string(&c, "empty.conf", ""));
	EXPECT_EQ(CG_BACKEND_AUTO, c.gate.backend);
	EXPECT_EQ(3, c.audit.n_stores);
	EXPECT_EQ(64, c.varlink.max_clients);
	cg_config_free(&c);
}

TEST(config_errors)
{
	static const char *const bad[] = {
		"[gate]\nbackend = kernel\n", "[nope]\n", "x = 1\n", "[gate\n",
		"[product]\nsupport_end = 2030-6-30\n", "[product]\ncontact = www.example.com\n",
		"[gate]\nmode = off\nmode = enforce\n", "[varlink]\nsocket = relative\n",
		"[audit]\nclose_on = ok\n", "[gate]\nallow_ports = 0\n", "[gate]\nbackend =\n",
		"[gate]\nallow_ports = 68\n", "[gate]\nallow_ports = tcp:0\n",
		"[gate]\nallow_ports = icmp:1\n", "[gate]\nallow_ports = udp:\n",
	};
	struct cg_config c;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, cg_config_load_string(&c, "bad.conf", bad[i])) TH_LOG("%s", bad[i]);
		cg_config_free(&c);
	}
}

static struct cg_metadata metadata_from(struct __test_metadata *_metadata, const char *conf)
{
	struct cg_config c;
	struct cg_os_release os = { 0 };
	struct cg_metadata md;

	ASSERT_EQ(0, cg_config_load_string(&c, "m.conf", conf));
	ASSERT_EQ(0, cg_metadata_build(&md, &c, &os));
	cg_config_free(&c);
	return md;
}

TEST(support_floor)
{
	char dir[] = "/tmp/credgate-floor-XXXXXX";
	_cleanup_free_ char *stored = NULL;
	char path[64];
	struct cg_metadata md;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, CG_SUPPORT_END_FILE);

	md = metadata_from(_metadata, "[product]\nsupport_end = 2030-01-01\n");
	ASSERT_EQ(0, cg_metadata_apply_floor(&md, dir, true));
	cg_metadata_free(&md);

	md = metadata_from(_metadata, "[product]\nsupport_end = 2029-12-31\n");
	ASSERT_EQ(1, cg_metadata_apply_floor(&md, dir, true));
	EXPECT_STREQ("2030-01-01", md.support_end);
	cg_metadata_free(&md);

	md = metadata_from(_metadata, "[product]\nsupport_end = 2030-01-02\n");
	ASSERT_EQ(0, cg_metadata_apply_floor(&md, dir, false));
	cg_metadata_free(&md);
	ASSERT_EQ(0, read_file(path, 64, &stored, NULL));
	EXPECT_STREQ("2030-01-01\n", stored);	/* not persisted without @persist */

	unlink(path);
	rmdir(dir);
}

TEST(security_txt)
{
	struct cg_metadata md = metadata_from(_metadata,
		"[product]\ncontact = mailto:a@example.com\npolicy = https://example.com/p\n"
		"preferred_languages = en fr\n");
	_cleanup_free_ char *txt = NULL;

	ASSERT_EQ(0, cg_metadata_security_txt(&md, 0, &txt));
	EXPECT_NE(NULL, strstr(txt, "\nContact: mailto:a@example.com\n"));
	EXPECT_NE(NULL, strstr(txt, "\nExpires: 1970-01-31T00:00:00Z\n"));
	EXPECT_NE(NULL, strstr(txt, "\nPolicy: https://example.com/p\n"));
	EXPECT_NE(NULL, strstr(txt, "\nPreferred-Languages: en, fr\n"));
	cg_metadata_free(&md);

	md = metadata_from(_metadata, "");
	EXPECT_EQ(-ENODATA, cg_metadata_security_txt(&md, 0, &txt));
	cg_metadata_free(&md);
}

static int echo_method(struct vl_call *call, json_object *params, void *userdata)
{
	static const struct vl_param spec[] = { { "word", json_type_string, true } };

	(void)userdata;
	if (vl_params_check(call, params, spec, ARRAY_SIZE(spec)) < 0)
		return 0;
	return vl_reply(call, json_object_get(params));
}

static const struct vl_method echo_methods[] = { { "Echo", echo_method } };
static const struct vl_interface echo_iface = {
	.name = "org.example.Echo",
	.description = "interface org.example.Echo\nmethod Echo(word: string) -> (word: string)\n",
	.methods = echo_methods,
	.n_methods = 1,
};

FIXTURE(server) {
	struct vl_server *s;
};

FIXTURE_SETUP(server)
{
	static const struct vl_service_info info = { "v", "p", "1", "u" };
	struct vl_limits lim = { .max_message = 1024, .max_depth = 8 };

	ASSERT_EQ(0, vl_server_new(&self->s, &lim, &info));
	ASSERT_EQ(0, vl_server_add_interface(self->s, &echo_iface, NULL));
}

FIXTURE_TEARDOWN(server)
{
	vl_server_free(self->s);
}

static void expect_reply(struct __test_metadata *_metadata, struct vl_server *s,
			 const char *req, size_t len, const char *want)
{
	_cleanup_free_ char *reply = NULL;
	size_t n;

	ASSERT_EQ(0, vl_server_dispatch(s, req, len, &reply, &n));
	if (!want) {
		EXPECT_EQ(NULL, reply);
		return;
	}
	ASSERT_NE(NULL, reply);
	EXPECT_EQ(strlen(reply), n);
	EXPECT_NE(NULL, strstr(reply, want)) TH_LOG("%s -> %s", req, reply);
}

#define REQ(s, r, want) expect_reply(_metadata, s, r, sizeof(r) - 1, want)

TEST_F(server, dispatch)
{
	char big[2048];

	REQ(self->s, "{\"method\":\"org.example.Echo.Echo\",\"parameters\":{\"word\":\"hi\"}}",
	    "{\"parameters\":{\"word\":\"hi\"}}");
	REQ(self->s, "{\"method\":\"org.example.Echo.Echo\",\"parameters\":{\"word\":\"hi\"},\"oneway\":true}",
	    NULL);
	REQ(self->s, "{\"method\":\"org.example.Echo.Echo\"}", "InvalidParameter\",\"parameters\":{\"parameter\":\"word\"");
	REQ(self->s, "{\"method\":\"org.example.Echo.Echo\",\"parameters\":{\"word\":1}}", "InvalidParameter");
	REQ(self->s, "{\"method\":\"org.example.Echo.Echo\",\"parameters\":{\"word\":\"a\\u0000b\"}}",
	    "InvalidParameter");
	REQ(self->s, "{\"method\":\"org.example.Echo.Nope\"}", "MethodNotFound");
	REQ(self->s, "{\"method\":\"org.example.Nope.Echo\"}", "InterfaceNotFound\",\"parameters\":{\"interface\":\"org.example.Nope\"");
	REQ(self->s, "{\"method\":\"org.varlink.service.GetInfo\"}",
	    "\"interfaces\":[\"org.varlink.service\",\"org.example.Echo\"]");
	REQ(self->s, "{\"method\":\"org.varlink.service.GetInterfaceDescription\",\"parameters\":{\"interface\":\"org.example.Echo\"}}",
	    "method Echo(word: string)");
	REQ(self->s, "{\"method\":\"x\",\"parameters\":{\"a\":[[[[[[[[[[1]]]]]]]]]]}}", "ProtocolError");
	REQ(self->s, "{\"method\":\"x\",}", "ProtocolError");
	REQ(self->s, "{'method':'x'}", "ProtocolError");
	REQ(self->s, "", "ProtocolError");
	REQ(self->s, "null", "ProtocolError");
	REQ(self->s, "{\"method\":\"org.example.Echo.Echo\",\"parameters\":null,\"more\":1}", "InvalidParameter");
	memset(big, ' ', sizeof(big));
	expect_reply(_metadata, self->s, big, sizeof(big), "MessageTooLarge\",\"parameters\":{\"limit\":1024}");
}

TEST_HARNESS_MAIN
