/* cmd_search.c — placeholder until the subcommand lands. */
#include "cli.h"

int cmd_search(int argc, char **argv) {
    (void)argc;
    return cli_usage_error(argv[0], "not available in this build yet");
}
