/*
 * avmit/registry.h — the networks that make AVMIT's embeddings and the two
 * embedding sets built from them: names, dimensions, input shapes and the
 * default frame interval (FEATURES.md §11). Every size the library checks or
 * synthesises (synth, search, embedding checks, front ends) comes from here.
 *
 *   network         modality  dim   input            frame interval
 *   vggish          audio     128   96 x 64 patch    —
 *   yamnet          audio     1024  96 x 64 patch    —
 *   vgg16           visual    512   224 x 224 x 3    960 ms (the paper's VGG16 setting)
 *   efficientnetb0  visual    1280  224 x 224 x 3    480 ms (the released script)
 *
 *   embedding set   audio    visual
 *   yamnet-effnet   yamnet   efficientnetb0   (1024 / 1280)
 *   vggish-vgg16    vggish   vgg16            (128 / 512)
 *
 * Thread-safety: the tables are constant; every function is reentrant.
 */
#ifndef AVMIT_REGISTRY_H
#define AVMIT_REGISTRY_H

#include "avmit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum avmit_network {
    AVMIT_NET_VGGISH = 0,
    AVMIT_NET_YAMNET = 1,
    AVMIT_NET_VGG16 = 2,
    AVMIT_NET_EFFICIENTNETB0 = 3
} avmit_network;
#define AVMIT_NETWORK_COUNT 4

typedef enum avmit_modality {
    AVMIT_MODALITY_AUDIO = 0,
    AVMIT_MODALITY_VISUAL = 1
} avmit_modality;

typedef struct avmit_network_info {
    avmit_network id;
    const char *name;         /* CLI spelling: "vggish", "yamnet", "vgg16", "efficientnetb0" */
    const char *display_name; /* "VGGish", "YAMNet", "VGG16", "EfficientNetB0" */
    avmit_modality modality;
    int dim;                  /* embedding width: 128, 1024, 512, 1280 */
    int frame_interval_ms;    /* visual: default frame interval (960 / 480); audio: 0 */
    int input_shape[3];       /* one input: audio patch {96, 64, 1}, visual frame {224, 224, 3} */
} avmit_network_info;

/* The network's row; NULL when net is out of range. */
const avmit_network_info *avmit_network_get(avmit_network net);
/* The network of a modality with embedding width dim; NULL when none has it. */
const avmit_network_info *avmit_network_by_dim(avmit_modality modality, int dim);
/* A network's name (as in the table) -> *out; AVMIT_E_ARG listing the names otherwise. */
int avmit_network_parse(const char *name, avmit_network *out, avmit_error *err);

typedef enum avmit_embedding_set {
    AVMIT_SET_YAMNET_EFFNET = 0,
    AVMIT_SET_VGGISH_VGG16 = 1
} avmit_embedding_set;
#define AVMIT_EMBEDDING_SET_COUNT 2

typedef struct avmit_embedding_set_info {
    avmit_embedding_set id;
    const char *name;     /* "yamnet-effnet", "vggish-vgg16" */
    avmit_network audio;  /* YAMNet / VGGish */
    avmit_network visual; /* EfficientNetB0 / VGG16 */
    int audio_dim;        /* = avmit_network_get(audio)->dim */
    int visual_dim;       /* = avmit_network_get(visual)->dim */
} avmit_embedding_set_info;

/* The set's row; NULL when set is out of range. */
const avmit_embedding_set_info *avmit_embedding_set_get(avmit_embedding_set set);
/* The set whose audio embedding is audio_dim wide; NULL when none. */
const avmit_embedding_set_info *avmit_embedding_set_by_audio_dim(int audio_dim);
/* "yamnet-effnet" / "vggish-vgg16" -> *out; AVMIT_E_ARG otherwise. */
int avmit_embedding_set_parse(const char *name, avmit_embedding_set *out, avmit_error *err);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_REGISTRY_H */
