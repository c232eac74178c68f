#!/usr/bin/env python3
"""test_cnn_parity_audio.py — VGGish and YAMNet in C (oneDNN) against independent
torch.nn.functional statements of FEATURES.md §4 and §5 (cnn_ref.py) on random
weights in the published layouts: the checks of cnn_testlib.py."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cnn_testlib  # noqa: E402

cnn_testlib.main([("vggish", 3, 11), ("yamnet", 3, 12)])
