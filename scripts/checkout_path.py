"""Put a folder on this Python's import path for good: a .pth file in its site-packages.

``make setup`` (and scripts/test_matrix.sh in its chroots) runs it with the venv's Python
and ``<checkout>/.build/plugins``, the folder that holds the ``hyperspectral_crnn`` link,
so every tool run with that Python imports the checkout as the plugin package.

    .venv/bin/python scripts/checkout_path.py FOLDER
"""

from __future__ import annotations

import sys
import sysconfig
from pathlib import Path

PTH_NAME = "hyperspectral_crnn_checkout.pth"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    pth = Path(sysconfig.get_paths()["purelib"]) / PTH_NAME
    line = str(Path(argv[0]).resolve()) + "\n"
    if not pth.exists() or pth.read_text() != line:
        pth.write_text(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
