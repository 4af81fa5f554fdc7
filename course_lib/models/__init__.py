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
from .diffusion import SCHEDULES, DDPM, NoisePredictor, TimestepEmbedding, beta_schedule, ddpm
from .dense import dense_autoencoder, init_output_bias, linear_autoencoder
from .mae import MaskedAutoencoder, MaskTokens, Patchify, Unpatchify, masked_autoencoder
from .dictionary import (DictionaryDecoder, PreBias, SparseDictionary, layer_activations,
                         run_from_layer, steer, topk_dictionary)
from .sequence import (PositionEmbedding, attention_autoencoder, attention_scores,
                       sequence_autoencoder)
from .stacked import (DenseTranspose, TiedAutoencoder, classifier_head, pretrain_layerwise,
                      tied_autoencoder)
from .sparse import SPARSITY_KINDS, KLSparsity, TopK, sparse_autoencoder
from .vae import VAE, Sampling, conv_vae, vae
from .vq import DeadCodeReset, VectorQuantizer, VQVAE, vq_vae

# Public functions of this package that are not model builders (every other function in
# __all__ must be registered with @builder; tests/test_package.py enforces it).
HELPERS = ("builder", "init_output_bias", "attention_scores", "squash", "dynamic_routing",
           "jacobian_norm", "code_sensitivity", "classifier_head", "pretrain_layerwise",
           "layer_activations", "run_from_layer", "steer")
# diffusion: ddpm builds a DDPM, a model of vectors, not an autoencoder (the autoencoder
# save/load test cannot take it; tests/test_diffusion.py saves and loads it).
HELPERS = HELPERS + ("ddpm", "beta_schedule")

__all__ = [
    "HELPERS", "ACTIVATIONS", "BUILDERS", "Autoencoder", "builder",
    # dense
    "dense_autoencoder", "linear_autoencoder", "init_output_bias",
    # convolutional
    "conv_autoencoder", "UPSAMPLING",
    # stacked, tied weights
    "DenseTranspose", "TiedAutoencoder", "tied_autoencoder", "classifier_head",
    "pretrain_layerwise",
    # sparse and contractive
    "SPARSITY_KINDS", "KLSparsity", "TopK", "sparse_autoencoder",
    "ContractiveAutoencoder", "contractive_autoencoder", "jacobian_norm", "code_sensitivity",
    # adversarial
    "PRIORS", "AdversarialAutoencoder", "adversarial_autoencoder",
    # sequence, attention, capsule
    "sequence_autoencoder", "attention_autoencoder", "attention_scores", "PositionEmbedding",
    "capsule_autoencoder", "squash", "dynamic_routing", "Squash", "CapsuleLayer",
    # sparse dictionaries (interpretability)
    "PreBias", "DictionaryDecoder", "SparseDictionary", "topk_dictionary",
    "layer_activations", "run_from_layer", "steer",
    # variational
    "VAE", "Sampling", "vae", "conv_vae",
    # masked autoencoder (lesson 25; helpers such as random_patch_mask live in models.mae)
    "MaskedAutoencoder", "MaskTokens", "Patchify", "Unpatchify", "masked_autoencoder",
    # vector-quantized
    "VectorQuantizer", "VQVAE", "DeadCodeReset", "vq_vae",
    # diffusion (a DDPM on codes: latent diffusion)
    "SCHEDULES", "TimestepEmbedding", "NoisePredictor", "DDPM", "ddpm", "beta_schedule",
]
