"""Where the files the app reads at run time are: in a checkout, or inside an installed wheel."""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent
CHECKOUT_ROOT = PACKAGE_DIR.parent


def resource_dir(name: str) -> Path:
    """The folder `name` (templates, static, migrations) for this install.

    A wheel carries copies inside the package (setup.py puts them there); a checkout, and
    an editable install of it, keep them at the repository root. The package's own copy
    wins: beside an installed package sits site-packages, not our repository.
    """
    packaged = PACKAGE_DIR / name
    return packaged if packaged.is_dir() else CHECKOUT_ROOT / name
