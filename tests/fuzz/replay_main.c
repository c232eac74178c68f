/*
 * replay_main.c — a main() for fuzz targets built without libFuzzer: feeds
 * every file named on the command line, and every regular file inside each
 * directory named (one level, sorted), to LLVMFuzzerTestOneInput once.
 * Exit 0 when every input ran (a crash or sanitizer report fails the test),
 * 1 when an argument cannot be read or no input was found.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "avmit/fileio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path) {
    unsigned char *buf;
    size_t n;
    avmit_error err;
    if (avmit_read_file(path, &buf, &n, &err)) {
        fprintf(stderr, "replay: %s\n", err.msg);
        return -1;
    }
    /* an exact-size copy so ASan sees reads past the end */
    uint8_t *copy = malloc(n ? n : 1);
    if (n) memcpy(copy, buf, n);
    free(buf);
    LLVMFuzzerTestOneInput(copy, n);
    free(copy);
    return 0;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
    int n_run = 0, bad = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: cannot open %s\n", argv[i]);
            bad = 1;
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            if (run_file(argv[i])) bad = 1; else n_run++;
            continue;
        }
        DIR *d = opendir(argv[i]);
        struct dirent *e;
        char **names = NULL;
        size_t n = 0;
        while (d && (e = readdir(d))) {
            if (e->d_name[0] == '.') continue;
            names = realloc(names, (n + 1) * sizeof *names);
            names[n++] = avmit_path_join(argv[i], e->d_name);
        }
        if (d) closedir(d);
        qsort(names, n, sizeof *names, cmp_str);
        for (size_t k = 0; k < n; k++) {
            struct stat fs;
            if (stat(names[k], &fs) == 0 && S_ISREG(fs.st_mode)) {
                if (run_file(names[k])) bad = 1; else n_run++;
            }
            free(names[k]);
        }
        free(names);
    }
    if (n_run == 0) {
        fprintf(stderr, "replay: no inputs\n");
        return 1;
    }
    printf("replayed %d inputs\n", n_run);
    return bad;
}
