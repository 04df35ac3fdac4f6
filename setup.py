"""Builds the optional C accelerator of the realtime decoder (extract/realtime/_wire.c).

Everything else about the package is in pyproject.toml. ``optional=True``: when the extension cannot
be compiled (no compiler, no Python headers) the install still succeeds and the decoder uses its
pure-Python reference path, which gives the same tables, only slower.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "extract.realtime._wire",
            sources=["extract/realtime/_wire.c"],
            extra_compile_args=["-O2", "-std=c11", "-Wall", "-Wno-missing-braces"],
            optional=True,
        )
    ]
)
