"""Model builders. Every builder returns an ``Autoencoder`` (``.encoder``, ``.decoder``).

Later variants add a module here and one import line below; ``BUILDERS`` then lists them and
the save/load tests cover them without further changes.
"""
from .base import ACTIVATIONS, BUILDERS, Autoencoder, builder
from .dense import dense_autoencoder, init_output_bias, linear_autoencoder

# Public functions of this package that are not model builders (everything else in __all__
# that is a function must be registered with @builder; tests/test_package.py enforces it).
HELPERS = ("builder", "init_output_bias")

__all__ = ["HELPERS", "ACTIVATIONS", "BUILDERS", "Autoencoder", "builder", "dense_autoencoder",
           "init_output_bias", "linear_autoencoder"]
