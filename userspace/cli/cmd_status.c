// SPDX-License-Identifier: MIT
/* Placeholder: replaced by the real implementation of 'credgate status'. */
#include "util.h"
#include "commands.h"

int cmd_status(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cg_err(ENOSYS, "'status' is not implemented in this build");
	return EXIT_CG_ERROR;
}
