"""r1-harness: reproducible checks of the published DeepSeek-R1 claims."""

__version__ = "0.1.0"
