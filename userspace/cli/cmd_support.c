// SPDX-License-Identifier: MIT
/* Placeholder: replaced by the real implementation of 'credgate support'. */
#include "util.h"
#include "commands.h"

int cmd_support(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cg_err(ENOSYS, "'support' is not implemented in this build");
	return EXIT_CG_ERROR;
}
