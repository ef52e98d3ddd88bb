"""Build step: put the files the app reads at run time into the package of a built wheel.

templates/, static/ and migrations/ stay at the repository root, where contributors work on
them; a wheel carries copies inside usht_events/, and the translations compiled from the .po
catalogues (.mo files are build output, never committed). usht_events/core/resources.py finds
either layout. An editable install reads everything from the checkout, so it copies nothing.
"""

import shutil
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
PACKAGE = "usht_events"
RESOURCE_DIRS = ("templates", "static", "migrations")
SKIPPED = shutil.ignore_patterns("__pycache__", "*.pyc", ".*")


class BuildWithResources(build_py):
    """build_py, then the resource folders and the compiled catalogues into the build."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / PACKAGE
        for name in RESOURCE_DIRS:
            # Start afresh: a file deleted from the sources must not survive in build/.
            shutil.rmtree(target / name, ignore_errors=True)
            shutil.copytree(ROOT / name, target / name, ignore=SKIPPED)
        for po_path in sorted((ROOT / PACKAGE / "translations").glob("*/LC_MESSAGES/*.po")):
            relative = po_path.relative_to(ROOT / PACKAGE).with_suffix(".mo")
            compile_catalogue(po_path, target / relative)


def compile_catalogue(po_path: Path, mo_path: Path) -> None:
    """Compile one .po file as `pybabel compile` does; refuse a catalogue with errors."""
    with po_path.open("rb") as handle:
        catalogue = read_po(handle, locale=po_path.parts[-3])
    errors = [(message.id, error) for message, found in catalogue.check() for error in found]
    if errors:
        raise SystemExit(f"{po_path}: {errors}")
    mo_path.parent.mkdir(parents=True, exist_ok=True)
    with mo_path.open("wb") as handle:
        write_mo(handle, catalogue)


setup(cmdclass={"build_py": BuildWithResources})
