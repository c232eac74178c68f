/*
 * registry.c — the network and embedding-set tables of avmit/registry.h.
 */
#include "avmit/registry.h"

#include <string.h>

#include "core/error_int.h"

static const avmit_network_info k_networks[AVMIT_NETWORK_COUNT] = {
    {AVMIT_NET_VGGISH, "vggish", "VGGish", AVMIT_MODALITY_AUDIO, 128, 0, {96, 64, 1}},
    {AVMIT_NET_YAMNET, "yamnet", "YAMNet", AVMIT_MODALITY_AUDIO, 1024, 0, {96, 64, 1}},
    {AVMIT_NET_VGG16, "vgg16", "VGG16", AVMIT_MODALITY_VISUAL, 512, 960, {224, 224, 3}},
    {AVMIT_NET_EFFICIENTNETB0, "efficientnetb0", "EfficientNetB0", AVMIT_MODALITY_VISUAL, 1280,
     480, {224, 224, 3}},
};

static const avmit_embedding_set_info k_sets[AVMIT_EMBEDDING_SET_COUNT] = {
    {AVMIT_SET_YAMNET_EFFNET, "yamnet-effnet", AVMIT_NET_YAMNET, AVMIT_NET_EFFICIENTNETB0, 1024,
     1280},
    {AVMIT_SET_VGGISH_VGG16, "vggish-vgg16", AVMIT_NET_VGGISH, AVMIT_NET_VGG16, 128, 512},
};

const avmit_network_info *avmit_network_get(avmit_network net) {
    return (int)net >= 0 && (int)net < AVMIT_NETWORK_COUNT ? &k_networks[net] : NULL;
}

const avmit_network_info *avmit_network_by_dim(avmit_modality modality, int dim) {
    for (int i = 0; i < AVMIT_NETWORK_COUNT; i++)
        if (k_networks[i].modality == modality && k_networks[i].dim == dim) return &k_networks[i];
    return NULL;
}

int avmit_network_parse(const char *name, avmit_network *out, avmit_error *err) {
    for (int i = 0; i < AVMIT_NETWORK_COUNT; i++)
        if (name && !strcmp(name, k_networks[i].name)) {
            *out = k_networks[i].id;
            return 0;
        }
    return AVMIT_ERR(err, AVMIT_E_ARG, NULL, "network",
                     "unknown network '%s' (expected vggish, yamnet, vgg16 or efficientnetb0)",
                     name ? name : "");
}

const avmit_embedding_set_info *avmit_embedding_set_get(avmit_embedding_set set) {
    return (int)set >= 0 && (int)set < AVMIT_EMBEDDING_SET_COUNT ? &k_sets[set] : NULL;
}

const avmit_embedding_set_info *avmit_embedding_set_by_audio_dim(int audio_dim) {
    for (int i = 0; i < AVMIT_EMBEDDING_SET_COUNT; i++)
        if (k_sets[i].audio_dim == audio_dim) return &k_sets[i];
    return NULL;
}

int avmit_embedding_set_parse(const char *name, avmit_embedding_set *out, avmit_error *err) {
    for (int i = 0; i < AVMIT_EMBEDDING_SET_COUNT; i++)
        if (name && !strcmp(name, k_sets[i].name)) {
            *out = k_sets[i].id;
            return 0;
        }
    return AVMIT_ERR(err, AVMIT_E_ARG, NULL, "embeddings",
                     "unknown embedding set '%s' (expected yamnet-effnet or vggish-vgg16)",
                     name ? name : "");
}
