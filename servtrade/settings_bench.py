"""Settings for bench/run.py only: the production settings plus the reference view's URL.

The reference view is the limit the public pages are measured against; it exists only here.
"""

from servtrade import settings as _base

globals().update({name: value for name, value in vars(_base).items() if name.isupper()})

ROOT_URLCONF = "servtrade.bench"
