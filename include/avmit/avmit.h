/*
 * avmit/avmit.h — everything in libavmit. Each header below is self-contained
 * and documents its module; start with error.h (how failures are reported).
 */
#ifndef AVMIT_AVMIT_H
#define AVMIT_AVMIT_H

#include "avmit/annotate.h"
#include "avmit/check.h"
#include "avmit/cnn.h"
#include "avmit/config.h"
#include "avmit/csv.h"
#include "avmit/dataset.h"
#include "avmit/embedding.h"
#include "avmit/error.h"
#include "avmit/fileio.h"
#include "avmit/keras_h5.h"
#include "avmit/keras_vars.h"
#include "avmit/labels.h"
#include "avmit/logmel.h"
#include "avmit/media_audio.h"
#include "avmit/media_video.h"
#include "avmit/model.h"
#include "avmit/model_io.h"
#include "avmit/nn.h"
#include "avmit/npy.h"
#include "avmit/npz.h"
#include "avmit/parallel.h"
#include "avmit/plot.h"
#include "avmit/plot_scatter.h"
#include "avmit/ratings.h"
#include "avmit/resample.h"
#include "avmit/rng.h"
#include "avmit/safetensors.h"
#include "avmit/savc.h"
#include "avmit/savc_pairs.h"
#include "avmit/savc_train.h"
#include "avmit/search.h"
#include "avmit/search_exp1.h"
#include "avmit/split.h"
#include "avmit/synth.h"
#include "avmit/tfckpt.h"
#include "avmit/tfrecord.h"
#include "avmit/train.h"
#include "avmit/vision.h"
#include "avmit/weights.h"

#endif
