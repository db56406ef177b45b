"""Speech backends behind small interfaces: voice activity detection, recognition, synthesis, resampling.

Audio everywhere in this package is a 1-D numpy float32 array of mono samples in [-1, 1].
"""
