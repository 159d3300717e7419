"""Copy the shipped graph (ontology/, data/, queries/) into the wheel.

They stay at the top of the checkout, as DESIGN.md lays them out; the build puts
a copy under rammegraf/_shipped/ so that `pip install .` works from any folder.
An editable install reads them from the checkout instead (store.shipped_root).
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SHIPPED = ("ontology", "data", "queries")


class BuildWithShippedFiles(build_py):
    def run(self):
        super().run()
        target = Path(self.build_lib, "rammegraf", "_shipped")
        for name in SHIPPED:
            source = Path(name)
            if source.is_dir():
                shutil.copytree(source, target / name, dirs_exist_ok=True,
                                ignore=shutil.ignore_patterns("__pycache__"))


setup(cmdclass={"build_py": BuildWithShippedFiles})
