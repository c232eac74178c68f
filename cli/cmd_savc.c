/* cmd_savc.c — placeholder until the subcommand lands. */
#include "cli.h"

int cmd_savc(int argc, char **argv) {
    (void)argc;
    return cli_usage_error(argv[0], "not available in this build yet");
}
