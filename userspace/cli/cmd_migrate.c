// SPDX-License-Identifier: MIT
/* Placeholder: replaced by the real implementation of 'credgate migrate'. */
#include "util.h"
#include "commands.h"

int cmd_migrate(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cg_err(ENOSYS, "'migrate' is not implemented in this build");
	return EXIT_CG_ERROR;
}
