"""Metrics on NumPy arrays, one module per concern (nothing here imports TensorFlow):

    reconstruction   MSE, MAE, BCE per pixel
    image_quality    PSNR, SSIM, masked PSNR, checkerboard artefacts
    ranking          recall@k, NDCG@k, precision@k
    detection        ROC-AUC, PR-AUC, precision/recall/F1, event recall
    distances        MMD, Fréchet distance
    representations  k-NN accuracy, cluster purity, sparsity, principal angles
    codebooks        code usage, perplexity, dead codes, index bits (lesson 26)

Every public name is importable from ``course_lib.metrics`` directly, and so are the PCA
baselines of ``course_lib.baselines`` (``metrics.pca_reconstruction`` ...), which lessons
call alongside the metrics.
"""
from . import detection, distances, image_quality, ranking, reconstruction, representations
from ..baselines import pca_basis, pca_curve, pca_inpaint, pca_reconstruction
from . import codebooks
from .codebooks import *  # noqa: F401,F403
from .detection import *  # noqa: F401,F403
from .distances import *  # noqa: F401,F403
from .image_quality import *  # noqa: F401,F403
from .ranking import *  # noqa: F401,F403
from .reconstruction import *  # noqa: F401,F403
from .representations import *  # noqa: F401,F403

__all__ = [
    *reconstruction.__all__, *image_quality.__all__, *ranking.__all__, *detection.__all__,
    *distances.__all__, *representations.__all__,
    "pca_basis", "pca_curve", "pca_inpaint", "pca_reconstruction",
    *codebooks.__all__,
]
