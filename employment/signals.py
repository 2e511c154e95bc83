"""Any committed change of a posting or an employer invalidates the cached job board."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .board_cache import bump_board_version
from .models import Employer, JobPosting


@receiver(post_save, sender=JobPosting)
@receiver(post_delete, sender=JobPosting)
@receiver(post_save, sender=Employer)
@receiver(post_delete, sender=Employer)
def posting_changed(sender, **kwargs):
    bump_board_version()
