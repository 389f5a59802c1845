"""Packages: every ``hedgetui*`` package, and ``hedgetui.themes`` from the top-level ``themes/``.

The shipped themes live in ``themes/`` (the design's layout: where a user finds one to copy for
a theme of their own) and install inside the package, where ``importlib.resources`` finds them
(``hedgetui.ui.theme_files``). Everything else about the build is in ``pyproject.toml``.
"""

from setuptools import find_namespace_packages, setup

setup(
    packages=[*find_namespace_packages(include=["hedgetui*"]), "hedgetui.themes"],
    package_dir={"hedgetui.themes": "themes"},
)
