"""Build hook: the wheel carries the graph itself (ontology, claims, sources, queries) inside the package.

Everything else about the package is declared in pyproject.toml. In a checkout (and an editable
install) govkg reads these folders where they are; an installed wheel reads them from kg/bundled/.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).parent
BUNDLED = ("ontology", "claims", "sources", "queries")


class build_py_with_graph(build_py):
    def run(self):
        super().run()
        target = Path(self.build_lib) / "kg" / "bundled"
        for name in BUNDLED:
            if (target / name).exists():
                shutil.rmtree(target / name)
            shutil.copytree(HERE / name, target / name)


setup(cmdclass={"build_py": build_py_with_graph})
