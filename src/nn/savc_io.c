/* savc_io.c — SAVC parameter blocks as safetensors (include/avmit/savc.h). */
#include "avmit/safetensors.h"
#include "avmit/savc.h"

int avmit_savc_write_block(const avmit_savc_model *m, const float *block, const char *path,
                           const char *const *meta, size_t n_meta, avmit_error *err) {
    avmit_st_entry e[AVMIT_SV_COUNT];
    for (int i = 0; i < AVMIT_SV_COUNT; i++) {
        const avmit_param_info *p = &m->params[i];
        e[i] = (avmit_st_entry){p->name, AVMIT_DTYPE_F32, p->ndim, p->shape, block + p->offset};
    }
    return avmit_safetensors_write(path, e, AVMIT_SV_COUNT, meta, n_meta, err);
}
