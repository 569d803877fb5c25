"""The public API of tessera_core is declared once, in ``__init__.py``."""

from __future__ import annotations

import tessera_core


def test_all_lists_exactly_the_public_names() -> None:
    public = {name for name in vars(tessera_core) if not name.startswith("_")}
    submodules = {name for name in public if type(getattr(tessera_core, name)).__name__ == "module"}
    assert sorted(tessera_core.__all__) == sorted(public - submodules - {"annotations"})


def test_every_public_name_is_documented() -> None:
    for name in tessera_core.__all__:
        assert getattr(tessera_core, name).__doc__, f"{name} has no docstring"
