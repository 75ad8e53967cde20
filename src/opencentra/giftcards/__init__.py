"""Gift certificates: sold as the only line of a selection, redeemed as a credit voucher."""
