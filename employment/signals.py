"""Any committed change of a posting or an employer invalidates the cached job board."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from veterans.signals import veteran_transferred

from .board_cache import bump_board_version
from .models import Application, ApplicationStatus, Employer, JobPosting

OPEN_APPLICATION_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.SHORTLISTED, ApplicationStatus.INTERVIEW)


@receiver(post_save, sender=JobPosting)
@receiver(post_delete, sender=JobPosting)
@receiver(post_save, sender=Employer)
@receiver(post_delete, sender=Employer)
def posting_changed(sender, **kwargs):
    bump_board_version()


@receiver(veteran_transferred, dispatch_uid="employment.follow_transferred_veteran")
def follow_transferred_veteran(sender, veteran, to_station, **kwargs):
    """Open applications of a transferred veteran are followed up by the new station."""
    Application.objects.filter(veteran=veteran, status__in=OPEN_APPLICATION_STATUSES).update(station=to_station)
