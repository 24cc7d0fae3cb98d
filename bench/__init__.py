"""servtrade's benchmark (run.py) and what only it serves: the reference view and its settings.

Nothing of the site imports this package; setuptools does not ship it.
"""
