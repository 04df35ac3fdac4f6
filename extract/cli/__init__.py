"""The `lamp` command line. Each submodule contributes its commands to the one group."""

from __future__ import annotations

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="lamp")
def main() -> None:
    """LAMP: measure how a rail system actually ran, from its GTFS and GTFS-Realtime feeds."""


def _register() -> None:
    # Imported here so each command module can import `main` without a cycle.
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


_register()
