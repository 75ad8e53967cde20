"""Wholesale: accounts, buyers and delivery windows.

``variants_on_preorder`` tells which variants a delivery window sells as a
pre-order (read in batches, for the APIs). The other modules are imported by
name for now.
"""

from opencentra.wholesale.preorders import variants_on_preorder

__all__ = ["variants_on_preorder"]
