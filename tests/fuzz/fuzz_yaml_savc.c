/* fuzz_yaml_savc.c — the SAVC train.yaml mapping (avmit/savc.h) on arbitrary bytes,
 * through the loader `avmit savc train --config` uses (avmit_savc_config_load on a
 * file): every input loads or fails with a message; a loaded config has a recurrent
 * function, positive sizes and batch, and NUL-terminated paths. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/savc.h"
#include "fuzz_tmpfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    avmit_error err;
    avmit_error_clear(&err);
    avmit_savc_file_config c;
    if (avmit_savc_config_load(&c, fuzz_tmp_write(".yaml", data, size), &err) == 0) {
        if (c.batch_size <= 0 || c.num_epochs < 0 ||
            memchr(c.model_path, '\0', sizeof c.model_path) == NULL ||
            memchr(c.cong_train, '\0', sizeof c.cong_train) == NULL)
            abort();
    } else if (!err.msg[0]) {
        abort();
    }
    return 0;
}
