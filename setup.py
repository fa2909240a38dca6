"""Packages are found here because each top-level folder maps onto tagwarden.<folder>.

pyproject.toml's package-dir does the mapping; setuptools' declarative `find` cannot add the
`tagwarden.` prefix, so every sub-package is listed from the folders themselves instead of by hand.
"""

from setuptools import find_packages, setup

TOP_LEVEL = ("engine", "iac_checks", "remediations")

packages = []
for folder in TOP_LEVEL:
    packages.append(f"tagwarden.{folder}")
    packages.extend(f"tagwarden.{folder}.{name}" for name in find_packages(where=folder))

setup(packages=packages)
