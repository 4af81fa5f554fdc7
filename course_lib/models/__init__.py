"""Model builders. Every builder returns an ``Autoencoder`` (``.encoder``, ``.decoder``).

A new variant adds a module here and its imports below; builders registered with ``@builder``
appear in ``BUILDERS`` and the save/load tests cover them without further changes.
"""
from .adversarial import PRIORS, AdversarialAutoencoder, adversarial_autoencoder
from .base import ACTIVATIONS, BUILDERS, Autoencoder, builder
from .capsule import CapsuleLayer, Squash, capsule_autoencoder, dynamic_routing, squash
from .conv import UPSAMPLING, conv_autoencoder
from .contractive import (ContractiveAutoencoder, code_sensitivity, contractive_autoencoder,
                          jacobian_norm)
from .dense import dense_autoencoder, init_output_bias, linear_autoencoder
from .sequence import (PositionEmbedding, attention_autoencoder, attention_scores,
                       sequence_autoencoder)
from .stacked import DenseTranspose, TiedAutoencoder, classifier_head, tied_autoencoder
from .sparse import SPARSITY_KINDS, KLSparsity, TopK, sparse_autoencoder
from .vae import VAE, Sampling, conv_vae, vae
from .vq import DeadCodeReset, VectorQuantizer, VQVAE, vq_vae

# Public functions of this package that are not model builders (every other function in
# __all__ must be registered with @builder; tests/test_package.py enforces it).
HELPERS = ("builder", "init_output_bias", "attention_scores", "squash", "dynamic_routing",
           "jacobian_norm", "code_sensitivity", "classifier_head")

__all__ = [
    "HELPERS", "ACTIVATIONS", "BUILDERS", "Autoencoder", "builder",
    # dense
    "dense_autoencoder", "linear_autoencoder", "init_output_bias",
    # convolutional
    "conv_autoencoder", "UPSAMPLING",
    # stacked, tied weights
    "DenseTranspose", "TiedAutoencoder", "tied_autoencoder", "classifier_head",
    # sparse and contractive
    "SPARSITY_KINDS", "KLSparsity", "TopK", "sparse_autoencoder",
    "ContractiveAutoencoder", "contractive_autoencoder", "jacobian_norm", "code_sensitivity",
    # adversarial
    "PRIORS", "AdversarialAutoencoder", "adversarial_autoencoder",
    # sequence, attention, capsule
    "sequence_autoencoder", "attention_autoencoder", "attention_scores", "PositionEmbedding",
    "capsule_autoencoder", "squash", "dynamic_routing", "Squash", "CapsuleLayer",
    # variational
    "VAE", "Sampling", "vae", "conv_vae",
    # vector-quantized
    "VectorQuantizer", "VQVAE", "DeadCodeReset", "vq_vae",
]
