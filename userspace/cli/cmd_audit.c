// SPDX-License-Identifier: MIT
/* Placeholder: replaced by the real implementation of 'credgate audit'. */
#include "util.h"
#include "commands.h"

int cmd_audit(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cg_err(ENOSYS, "'audit' is not implemented in this build");
	return EXIT_CG_ERROR;
}
