"""tf_genrepair: image generation and restoration on Keras 3, measured by recognition.

The top-level package stays light; import what you need from its modules:

    from tf_genrepair.data import load_dataset, restoration_dataset
    from tf_genrepair.corruptions import get_corruption, CORRUPTIONS
"""

__version__ = "0.1.0"
