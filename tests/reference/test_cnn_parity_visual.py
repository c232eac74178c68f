#!/usr/bin/env python3
"""test_cnn_parity_visual.py — VGG16 and EfficientNetB0 in C (oneDNN) against
torchvision's vgg16 / efficientnet_b0 with FEATURES.md §10's fixes (cnn_ref.py) on
random weights in the published Keras HDF5 layouts: the checks of cnn_testlib.py.
Two frames each (224x224 is heavy on two shared cores)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cnn_testlib  # noqa: E402

cnn_testlib.main([("vgg16", 2, 13), ("efficientnetb0", 2, 14)])
