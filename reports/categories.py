"""The GHG Protocol scope 3 and ISO 14064-1 category names, translated."""

from django.utils.translation import gettext as _


def scope3_category_names() -> dict[int, str]:
    """Return the GHG Protocol scope 3 category names, translated."""
    return {
        1: _("Purchased goods and services"),
        2: _("Capital goods"),
        3: _("Fuel- and energy-related activities"),
        4: _("Upstream transportation and distribution"),
        5: _("Waste generated in operations"),
        6: _("Business travel"),
        7: _("Employee commuting"),
        8: _("Upstream leased assets"),
        9: _("Downstream transportation and distribution"),
        10: _("Processing of sold products"),
        11: _("Use of sold products"),
        12: _("End-of-life treatment of sold products"),
        13: _("Downstream leased assets"),
        14: _("Franchises"),
        15: _("Investments"),
    }


def iso_category_names() -> dict[int, str]:
    """Return the ISO 14064-1:2018 category names, translated."""
    return {
        1: _("Direct emissions and removals"),
        2: _("Indirect emissions from imported energy"),
        3: _("Indirect emissions from transportation"),
        4: _("Indirect emissions from products an organisation uses"),
        5: _("Indirect emissions associated with the use of products"),
        6: _("Indirect emissions from other sources"),
    }
