"""Dry-run aid for tools/gpu_check.sh (SCAE_CHECK_SIMULATE_BARE=1 puts this folder on PYTHONPATH).

Makes this Python look like the GPU machine's: wandb, ipywidgets, IPython and nbdev cannot be imported, and
fastcore only from the folder the check installs the .whl wheels into ($SCAE_CHECK_SITE_DIR).
"""
import importlib.abc, os, sys

_BLOCKED = {'wandb', 'ipywidgets', 'IPython', 'nbdev'}
_SITE = os.path.realpath(os.environ.get('SCAE_CHECK_SITE_DIR', '/tmp/site'))


class _Bare(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        top = name.partition('.')[0]
        if top in _BLOCKED: raise ModuleNotFoundError(f"No module named '{name}' (hidden by tools/bare_sim)", name=name)
        if top == 'fastcore' and name == top:
            from importlib.machinery import PathFinder
            spec = PathFinder.find_spec(name, [_SITE])
            if spec is None: raise ModuleNotFoundError(f"No module named 'fastcore' in {_SITE} (hidden by tools/bare_sim)", name=name)
            return spec
        return None


sys.meta_path.insert(0, _Bare())
