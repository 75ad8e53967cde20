"""Gift certificates: sold as the only line of a selection, redeemed as a credit voucher."""

from opencentra.giftcards.services import CertificateInfo, GiftLine, IssuedView
from opencentra.giftcards.store_certificates import certificates_of_store

__all__ = ["CertificateInfo", "GiftLine", "IssuedView", "certificates_of_store"]
