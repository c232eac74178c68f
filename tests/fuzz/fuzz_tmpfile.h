/* fuzz_tmpfile.h — for targets whose loader takes a path (the commands' own loaders):
 * write the input to a per-process file under /dev/shm (else /tmp) and return its path.
 * The file is rewritten for every input and removed at exit. */
#ifndef FUZZ_TMPFILE_H
#define FUZZ_TMPFILE_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char fuzz_tmp_path[128];

static void fuzz_tmp_remove(void) {
    if (fuzz_tmp_path[0]) unlink(fuzz_tmp_path);
}

static const char *fuzz_tmp_write(const char *suffix, const uint8_t *data, size_t size) {
    if (!fuzz_tmp_path[0]) {
        const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(fuzz_tmp_path, sizeof fuzz_tmp_path, "%s/avmit-fuzz-%ld%s", dir,
                 (long)getpid(), suffix);
        atexit(fuzz_tmp_remove);
    }
    FILE *f = fopen(fuzz_tmp_path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f)) abort();
    return fuzz_tmp_path;
}
#endif
