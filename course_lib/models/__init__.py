"""Model builders. Every builder returns an ``Autoencoder`` (``.encoder``, ``.decoder``).

A new variant adds a module here and its imports below; builders registered with ``@builder``
appear in ``BUILDERS`` and the save/load tests cover them without further changes.
"""
from .adversarial import PRIORS, AdversarialAutoencoder, adversarial_autoencoder
from .base import ACTIVATIONS, BUILDERS, Autoencoder, builder
from .capsule import CapsuleLayer, Squash, capsule_autoencoder, dynamic_routing, squash
from .contractive import (ContractiveAutoencoder, code_sensitivity, contractive_autoencoder,
                          jacobian_norm)
from .dense import dense_autoencoder, init_output_bias, linear_autoencoder
from .sequence import (PositionEmbedding, attention_autoencoder, attention_scores,
                       sequence_autoencoder)
from .sparse import SPARSITY_KINDS, KLSparsity, TopK, sparse_autoencoder

# Public functions of this package that are not model builders (every other function in
# __all__ must be registered with @builder; tests/test_package.py enforces it).
HELPERS = ("builder", "init_output_bias", "attention_scores", "squash", "dynamic_routing",
           "jacobian_norm", "code_sensitivity")

__all__ = [
    "HELPERS", "ACTIVATIONS", "BUILDERS", "Autoencoder", "builder",
    # dense
    "dense_autoencoder", "linear_autoencoder", "init_output_bias",
    # sparse and contractive
    "SPARSITY_KINDS", "KLSparsity", "TopK", "sparse_autoencoder",
    "ContractiveAutoencoder", "contractive_autoencoder", "jacobian_norm", "code_sensitivity",
    # adversarial
    "PRIORS", "AdversarialAutoencoder", "adversarial_autoencoder",
    # sequence, attention, capsule
    "sequence_autoencoder", "attention_autoencoder", "attention_scores", "PositionEmbedding",
    "capsule_autoencoder", "squash", "dynamic_routing", "Squash", "CapsuleLayer",
]
