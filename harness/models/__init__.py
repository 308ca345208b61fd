"""Models built on the fly: a tiny randomly initialised (or briefly trained) R1-distill stand-in.

``harness.models.tiny`` builds it; ``harness.models.tiny_train`` teaches it a few answers. Nothing
here downloads anything: the model and its tokenizer are made from local text.
"""
