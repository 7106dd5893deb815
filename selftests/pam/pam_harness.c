// SPDX-License-Identifier: MIT
/*
 * A password change through PAM with a private stack, for the tests of
 * pam_credgate.so: never the host's /etc/pam.d.
 *
 *   pam_harness CONFDIR SERVICE USER [ANSWER]...
 *
 * pam_start_confdir(SERVICE, USER, CONFDIR) then pam_chauthtok(); every
 * prompt is answered with the next ANSWER (none left: the conversation
 * fails).  Prompts and messages are printed on stdout as "PROMPT: ...",
 * "ERROR: ...", "INFO: ...", then "result: N TEXT".  Exit status: the
 * PAM return code (0 success).
 */
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct answers {
	char **v;
	int n, next;
};

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	struct answers *a = data;
	struct pam_response *r = calloc((size_t)n, sizeof(*r));

	if (!r)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		switch (msg[i]->msg_style) {
		case PAM_PROMPT_ECHO_OFF:
		case PAM_PROMPT_ECHO_ON:
			printf("PROMPT: %s\n", msg[i]->msg);
			if (a->next >= a->n) {
				for (int k = 0; k < i; k++)
					free(r[k].resp);
				free(r);
				return PAM_CONV_ERR;
			}
			r[i].resp = strdup(a->v[a->next++]);
			break;
		case PAM_ERROR_MSG:
			printf("ERROR: %s\n", msg[i]->msg);
			break;
		default:
			printf("INFO: %s\n", msg[i]->msg);
		}
	}
	fflush(stdout);
	*resp = r;
	return PAM_SUCCESS;
}

int main(int argc, char **argv)
{
	struct answers a = { .v = argv + 4, .n = argc > 4 ? argc - 4 : 0 };
	struct pam_conv c = { conv, &a };
	pam_handle_t *pamh = NULL;
	int r;

	if (argc < 4) {
		fprintf(stderr, "usage: pam_harness CONFDIR SERVICE USER [ANSWER]...\n");
		return 2;
	}
	r = pam_start_confdir(argv[2], argv[3], &c, argv[1], &pamh);
	if (r != PAM_SUCCESS) {
		fprintf(stderr, "pam_start_confdir: %d\n", r);
		return r;
	}
	r = pam_chauthtok(pamh, 0);
	printf("result: %d %s\n", r, pam_strerror(pamh, r));
	pam_end(pamh, r);
	return r;
}
