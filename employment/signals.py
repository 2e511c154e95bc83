"""Any committed change of a posting, an employer or an employer's organization (its name is on
the board) invalidates the cached job board; renaming the organization refreshes its postings'
keyword grams."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from services.models import Organization
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


@receiver(pre_save, sender=Organization, dispatch_uid="employment.organization_renaming")
def _note_rename(sender, instance, update_fields=None, raw=False, **kwargs):
    instance._employment_renamed = bool(
        not raw
        and instance.pk
        and (update_fields is None or "name" in update_fields)
        and Organization.objects.filter(pk=instance.pk).exclude(name=instance.name).exists()
    )


@receiver(post_save, sender=Organization, dispatch_uid="employment.organization_changed")
def organization_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    employer = Employer.objects.filter(organization=instance).first()
    if employer is None:
        return
    employer.organization = instance
    if getattr(instance, "_employment_renamed", False):
        employer.refresh_posting_search()
    bump_board_version()


@receiver(veteran_transferred, dispatch_uid="employment.follow_transferred_veteran")
def follow_transferred_veteran(sender, veteran, to_station, **kwargs):
    """Open applications of a transferred veteran are followed up by the new station."""
    Application.objects.filter(veteran=veteran, status__in=OPEN_APPLICATION_STATUSES).update(station=to_station)
