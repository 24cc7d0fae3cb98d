"""Settings for bench/run.py only: the production settings, unchanged, plus the reference view.

A star import on purpose: these are servtrade's settings, every one of them, with one URLconf
added; naming each would be a second list to keep in step.
"""

from servtrade.settings import *  # noqa: F403

ROOT_URLCONF = "bench.reference"
