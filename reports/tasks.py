"""Background work of the reports area (django-tasks; inline without a worker)."""

from django_tasks import task


@task()
def build_report_task(report_id: int) -> str:
    """Build one requested report."""
    from reports.models import GeneratedReport
    from reports.services import report_build

    report = GeneratedReport.objects.select_related(
        "organisation", "business_unit"
    ).get(pk=report_id)
    return report_build(report=report).status
