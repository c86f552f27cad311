from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # The organisation's history lists the report texts and exclusions
        # too; emissions, below this app, does not know them by name.
        from emissions.selectors_entries import history_model_register
        from reports.models import ReportNarrative, Scope3Exclusion

        history_model_register("report_text", ReportNarrative)
        history_model_register("exclusion", Scope3Exclusion)
