// SPDX-License-Identifier: MIT
/*
 * The service stores below the CLI: byte spans of every secret (a rewrite
 * touches one field), the per-BSS ssid, realms, and the verifiers on
 * published test vectors (RFC 1320 for MD4, IEEE 802.11i H.4 for the WPA
 * PSK), and the migration edits of each format.  The corpora written by the
 * real tools are in audit_stores.sh and migrate_stores.sh.
 */
#include "audit/verify.h"
#include "store/store.h"
#include "base/util.h"

#include "kselftest_harness.h"

static unsigned n_diags;

static void count_diag(void *ud, const char *path, unsigned line, const char *msg)
{
	(void)ud;
	(void)path;
	(void)line;
	(void)msg;
	n_diags++;
}

static struct store_file *parse(enum store_type t, const char *data)
{
	struct store_file *sf = NULL;

	n_diags = 0;
	if (store_parse(t, "/etc/x", "/etc/x", data, strlen(data), count_diag, NULL, &sf) < 0)
		return NULL;
	return sf;
}

/* The record's copies are exactly its spans of the file. */
static bool spans_exact(const struct store_file *sf)
{
	for (size_t i = 0; i < sf->n_records; i++) {
		const struct store_record *r = &sf->records[i];

		if (memcmp(sf->data + r->hash_span.off, r->hash, r->hash_span.len) ||
		    strlen(r->hash) != r->hash_span.len ||
		    memcmp(sf->data + r->user_span.off, r->user, r->user_span.len))
			return false;
	}
	return true;
}

static void hex(const unsigned char *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

TEST(md4_rfc1320_vectors)
{
	static const char *const v[][2] = {
		{ "", "31d6cfe0d16ae931b73c59d7e0c089c0" },
		{ "a", "bde52cb31de33e46245e05fbdbd6fb24" },
		{ "abc", "a448017aaf21d8525fc10ae87aa6729d" },
		{ "message digest", "d9130a8164549fe818874806e1c7014b" },
		{ "abcdefghijklmnopqrstuvwxyz", "d79e1c308aa5bbcdeea8ed63df412da9" },
		{ "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
		  "043f8582f241db351ce627e153e7f0e4" },
		{ "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
		  "e33b4ddc9c38f2199c3e7b164fcc0536" },
	};
	unsigned char md[16];
	char got[33];

	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		md4_digest(v[i][0], strlen(v[i][0]), md);
		hex(md, 16, got);
		EXPECT_STREQ(v[i][1], got);
	}
}

TEST(tagged_hashes_verify)
{
	static const struct {
		const char *hash, *pw;
		int want;
	} v[] = {
		/* NT hash of "password" (smbpasswd), of "" */
		{ "nt:8846f7eaee8fb117ad06bdd830b7586c", "password", 1 },
		{ "nt:8846f7eaee8fb117ad06bdd830b7586c", "Password", 0 },
		{ "nt:31d6cfe0d16ae931b73c59d7e0c089c0", "", 1 },
		{ "nt:8846f7eaee8fb117ad06bdd830b7586c", "\xff\xfe", 0 },	/* not UTF-8 */
		/* IEEE 802.11i-2004 H.4.1: "password", ssid "IEEE" */
		{ "wpa-psk:f42c6fc52df0ebef9ebb4b90b38a5f902e83fe1b135a70e23aed762e9710a12e:IEEE",
		  "password", 1 },
		{ "wpa-psk:f42c6fc52df0ebef9ebb4b90b38a5f902e83fe1b135a70e23aed762e9710a12e:IEEF",
		  "password", 0 },
		{ "wpa-psk:f42c6fc52df0ebef9ebb4b90b38a5f902e83fe1b135a70e23aed762e9710a12e:IEEE",
		  "short", 0 },
		/* htdigest -c f realm1 alice, password admin */
		{ "htdigest:9b202e6673c966afa5923a61b1d0d4a0:alice:realm1", "admin", 1 },
		{ "htdigest:9b202e6673c966afa5923a61b1d0d4a0:alice:realm2", "admin", 0 },
		/* mosquitto_passwd 2.0 (-H sha512-pbkdf2), password public */
		{ "mosquitto:$7$101$TjYBc8kdTH5yHlU+$tuK9k4zqF7Kf2ygBge8oTgt4JpvqGRQit+mpQ82YZwvyT1+uugfjLow7GUnVYQZmP9iGq7h6Fcm4Na7V1Tluwg==",
		  "public", 1 },
		{ "mosquitto:$7$101$TjYBc8kdTH5yHlU+$tuK9k4zqF7Kf2ygBge8oTgt4JpvqGRQit+mpQ82YZwvyT1+uugfjLow7GUnVYQZmP9iGq7h6Fcm4Na7V1Tluwg==",
		  "publi", 0 },
		{ "mosquitto:$7$101$!!!!$AAAA", "public", -EINVAL },
		{ "nt:0123", "x", -EINVAL },
	};
	struct hash_info info;

	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		hash_classify(v[i].hash, &info);
		EXPECT_EQ(v[i].want, service_hash_verify(&info, v[i].hash, v[i].pw)) {
			TH_LOG("%s", v[i].hash);
		}
	}
	/* No login store field can carry a tag: they never contain ':'. */
	hash_classify("$7$CU..../....abc", &info);
	EXPECT_STREQ("scrypt", info.method);
}

TEST(snmpd_spans_and_secrets)
{
	struct store_file *sf = parse(STORE_SNMPD,
		"# c\n"
		"  ROCOMMUNITY  public default -V systemonly\n"
		"com2sec -Cn ctx local localhost \"two words\"\n"
		"createUser -e 0x8000 bob SHA authpass1 AES privpass1\n"
		"createUser carol SHA authonly1 AES\n"
		"syslocation here\n");

	ASSERT_NE(NULL, sf);
	EXPECT_EQ(0, n_diags);
	ASSERT_EQ(5, sf->n_records);
	EXPECT_TRUE(spans_exact(sf));
	EXPECT_STREQ("public", sf->records[0].hash);
	EXPECT_STREQ("two words", sf->records[1].hash);
	EXPECT_STREQ("authpass1", sf->records[2].hash);
	EXPECT_STREQ("privpass1", sf->records[3].hash);
	EXPECT_STREQ("bob", sf->records[3].user);
	EXPECT_STREQ("authonly1", sf->records[4].hash);
	EXPECT_EQ(STORE_SCHEME_PLAIN, sf->records[4].scheme);
	store_file_free(sf);
}

TEST(hostapd_ssid_per_bss)
{
	struct store_file *sf = parse(STORE_HOSTAPD,
		"ssid=First\n"
		"wpa_passphrase=passphrase1\n"
		"bss=wlan0_1\n"
		"wpa_psk=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
		"ssid2=\"Second Net\"\n"
		"sae_password=saepass|mac=ff:ff:ff:ff:ff:ff|id=x\n"
		"bss=wlan0_2\n"
		"ssid2=414243\n"
		"wpa_psk=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
		"bss=wlan0_3\n"
		"wpa_psk=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n");

	ASSERT_NE(NULL, sf);
	EXPECT_EQ(0, n_diags);
	ASSERT_EQ(5, sf->n_records);
	EXPECT_TRUE(spans_exact(sf));
	EXPECT_STREQ("First", sf->records[0].salt);
	EXPECT_STREQ("Second Net", sf->records[1].salt);
	EXPECT_STREQ("saepass", sf->records[2].hash);
	EXPECT_STREQ("Second Net", sf->records[2].salt);
	EXPECT_STREQ("ABC", sf->records[3].salt);
	EXPECT_EQ(NULL, sf->records[4].salt);
	store_file_free(sf);
}

TEST(htdigest_realms_and_smbpasswd_fields)
{
	struct store_file *sf = parse(STORE_HTDIGEST,
		"alice:r1:9b202e6673c966afa5923a61b1d0d4a0\n"
		"alice:r2:9B202E6673C966AFA5923A61B1D0D4A0\n"
		"alice:r1:9b202e6673c966afa5923a61b1d0d4a0\n");

	ASSERT_NE(NULL, sf);
	EXPECT_EQ(1, n_diags);	/* the third line only */
	EXPECT_EQ(3, sf->n_records);
	EXPECT_STREQ("r2", sf->records[1].salt);
	store_file_free(sf);

	sf = parse(STORE_SMBPASSWD,
		"a:1:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:8846F7EAEE8FB117AD06BDD830B7586C:[U          ]:LCT-6B0FACC1:\n"
		"b:2:NO PASSWORDXXXXXXXXXXXXXXXXXXXXX:NO PASSWORDXXXXXXXXXXXXXXXXXXXXX:[NU         ]:LCT-00000000:\n"
		"c:3:NO PASSWORDXXXXXXXXXXXXXXXXXXXXX:NO PASSWORDXXXXXXXXXXXXXXXXXXXXX:[NDU        ]:LCT-00000000:\n"
		"d:4:0123456789ABCDEF0123456789ABCDEF:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:[U          ]:LCT-00000000:\n");
	ASSERT_NE(NULL, sf);
	EXPECT_EQ(0, n_diags);
	ASSERT_EQ(4, sf->n_records);
	EXPECT_TRUE(spans_exact(sf));
	EXPECT_EQ(STORE_SCHEME_NT, sf->records[0].scheme);
	EXPECT_EQ(STORE_SCHEME_NOPASSWORD, sf->records[1].scheme);
	EXPECT_EQ(STORE_SCHEME_DISABLED, sf->records[2].scheme);
	EXPECT_EQ(STORE_SCHEME_LM, sf->records[3].scheme);
	store_file_free(sf);
}

/* Apply @e[0..n) to @sf's data (sorted, not overlapping) into @out. */
static void apply(const struct store_file *sf, const struct store_edit *e, int n, char *out,
		  size_t size)
{
	size_t pos = 0, o = 0;

	for (int i = 0; i < n; i++) {
		o += (size_t)snprintf(out + o, size - o, "%.*s%s", (int)(e[i].span.off - pos),
				      sf->data + pos, e[i].text);
		pos = e[i].span.off + e[i].span.len;
	}
	snprintf(out + o, size - o, "%s", sf->data + pos);
}

/* The migration edits (store_record_edit): what each format changes, and what it refuses. */
TEST(migration_edits)
{
	static const char nt[] = "0123456789ABCDEF0123456789ABCDEF";
	struct store_edit e[STORE_EDITS_MAX];
	const char *why = NULL;
	char out[512];
	struct store_file *sf;
	int n;

	sf = parse(STORE_SMBPASSWD,
		   "a:1:NO PASSWORDXXXXXXXXXXXXXXXXXXXXX:NO PASSWORDXXXXXXXXXXXXXXXXXXXXX:[NU         ]:LCT-00000001:\n"
		   "b:2:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:[UUUUUUUUUUU]:x:\n");
	ASSERT_NE(NULL, sf);
	ASSERT_EQ(2, sf->n_records);
	n = store_record_edit(sf, &sf->records[0], STORE_EDIT_SECRET, nt, 0x6b0fe8f2, e, &why);
	ASSERT_EQ(1, n);
	apply(sf, e, n, out, sizeof(out));
	EXPECT_EQ(0, strncmp(out, "a:1:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:0123456789ABCDEF0123456789ABCDEF:[ U         ]:LCT-6B0FE8F2:\nb:2:", 100));
	n = store_record_edit(sf, &sf->records[0], STORE_EDIT_DISABLE, NULL, 0, e, &why);
	ASSERT_EQ(1, n);
	EXPECT_STREQ("[NUD        ]", e[0].text);
	/* No free flag position, no LCT field: refused with a reason. */
	why = NULL;
	EXPECT_EQ(-EOPNOTSUPP, store_record_edit(sf, &sf->records[1], STORE_EDIT_DISABLE, NULL, 0, e, &why));
	EXPECT_NE(NULL, why);
	why = NULL;
	EXPECT_EQ(-EOPNOTSUPP, store_record_edit(sf, &sf->records[1], STORE_EDIT_EXPIRE, NULL, 0, e, &why));
	EXPECT_NE(NULL, why);
	/* A secret field that is not an NT hash is never written. */
	EXPECT_EQ(-EINVAL, store_record_edit(sf, &sf->records[1], STORE_EDIT_SECRET, "plain", 0, e, &why));
	store_file_free(sf);

	sf = parse(STORE_SNMPD, "createUser \"a b\"\ncreateUser k SHA -m 0x01\nrocommunity \"pub lic\" 10.0.0.1\n");
	ASSERT_NE(NULL, sf);
	ASSERT_EQ(3, sf->n_records);
	n = store_record_edit(sf, &sf->records[0], STORE_EDIT_SECRET, "newpassphrase234", 0, e, &why);
	ASSERT_EQ(1, n);
	apply(sf, e, n, out, sizeof(out));
	EXPECT_EQ(0, strncmp(out, "createUser \"a b\" SHA newpassphrase234 AES\n", 42));
	why = NULL;
	EXPECT_EQ(-EOPNOTSUPP, store_record_edit(sf, &sf->records[1], STORE_EDIT_SECRET, "x", 0, e, &why));
	EXPECT_NE(NULL, why);
	n = store_record_edit(sf, &sf->records[2], STORE_EDIT_SECRET, "c0mmunity", 0, e, &why);
	ASSERT_EQ(1, n);
	apply(sf, e, n, out, sizeof(out));
	EXPECT_NE(NULL, strstr(out, "rocommunity \"c0mmunity\" 10.0.0.1\n"));
	EXPECT_EQ(-EOPNOTSUPP, store_record_edit(sf, &sf->records[2], STORE_EDIT_DISABLE, NULL, 0, e, &why));
	store_file_free(sf);

	/* A format without an edit operation: the hash span, nothing else. */
	sf = parse(STORE_HOSTAPD, "ssid=x\nsae_password=old|id=a\n");
	ASSERT_NE(NULL, sf);
	n = store_record_edit(sf, &sf->records[0], STORE_EDIT_SECRET, "new", 0, e, &why);
	ASSERT_EQ(1, n);
	apply(sf, e, n, out, sizeof(out));
	EXPECT_STREQ("ssid=x\nsae_password=new|id=a\n", out);
	EXPECT_EQ(-EOPNOTSUPP, store_record_edit(sf, &sf->records[0], STORE_EDIT_EXPIRE, NULL, 0, e, &why));
	store_file_free(sf);
}

TEST_HARNESS_MAIN
