"""Signals other apps listen to, so the registry does not reach into them."""

from django.dispatch import Signal

# Sent inside the transfer's transaction: veteran (with its new station), from_station, to_station.
veteran_transferred = Signal()
