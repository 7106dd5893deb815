// SPDX-License-Identifier: MIT
/* Placeholder: replaced by the real implementation of 'credgate provision'. */
#include "util.h"
#include "commands.h"

int cmd_provision(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cg_err(ENOSYS, "'provision' is not implemented in this build");
	return EXIT_CG_ERROR;
}
