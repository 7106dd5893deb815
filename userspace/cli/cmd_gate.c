// SPDX-License-Identifier: MIT
/* Placeholder: replaced by the real implementation of 'credgate gate'. */
#include "util.h"
#include "commands.h"

int cmd_gate(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cg_err(ENOSYS, "'gate' is not implemented in this build");
	return EXIT_CG_ERROR;
}
