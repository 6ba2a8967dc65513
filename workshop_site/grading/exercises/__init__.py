"""The exercises, one module per lesson (``ex03.py`` declares ``03.1``, ``03.2``, ...).

Each module lists its exercises in ``EXERCISES``; see docs/grading.md.
"""
