/* cmd_tfrecord_io.c — placeholder until `tfrecord dump|write` land. */
#include "cli.h"

int cmd_tfrecord_dump(int argc, char **argv) {
    (void)argc;
    return cli_usage_error(argv[0], "not available in this build yet");
}

int cmd_tfrecord_write(int argc, char **argv) {
    (void)argc;
    return cli_usage_error(argv[0], "not available in this build yet");
}
