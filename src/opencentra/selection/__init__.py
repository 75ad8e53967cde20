"""selection domain."""

from opencentra.selection.services import MAX_LINE_QUANTITY, is_token_shaped, new_token

__all__ = ["MAX_LINE_QUANTITY", "is_token_shaped", "new_token"]
