"""govkg: a knowledge graph of Chinese grassroots-governance concepts and the causal claims made about them."""

__version__ = "0.1.0"
