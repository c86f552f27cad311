"""Submitting with comments, approving with open findings, four eyes for the small.

The services first, then the pages: the year page's review and its comments,
the approval's confirmation, the notice and the e-mail to the approvers.
"""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import Membership
from accounts.roles import Role
from accounts.services import member_change_role
from emissions.models import Finding, ReportingYear, YearStatus
from emissions.services.years import (
    year_approve,
    year_change_comments_set,
    year_submit,
    year_unlock,
)
from tests.factories import BusinessUnitFactory, MembershipFactory, UserFactory
from tests.reports.factories import entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit(org):
    return BusinessUnitFactory(organisation=org, code="OSL", name="Oslo")


@pytest.fixture
def two_years(org, admin, unit):
    """Flights fell from 20 t to 12 t: scope 3 and the total need a comment."""
    for year, kg in ((2023, "20000"), (2024, "12000")):
        entry(
            organisation=org,
            unit=unit,
            year=year,
            code="flight",
            scope=3,
            category=6,
            kg=kg,
            user=admin,
        )
    return org


COMMENTS = {
    "scope3": "Travel policy: rail first.",
    "total": "Fewer flights.",
    "line:OSL:flight": "Fewer flights to Stockholm.",
}


def _year(org, year=2024) -> ReportingYear:
    return ReportingYear.objects.get(organisation=org, year=year)


def _last_reason(reporting_year: ReportingYear) -> str:
    return reporting_year.history.order_by("-history_id").first().history_change_reason


# --- Comments and submitting -------------------------------------------------


def test_submit_is_refused_until_each_change_above_the_threshold_has_a_comment(
    two_years, editor
):
    org = two_years
    with pytest.raises(ValidationError) as error:
        year_submit(organisation=org, actor=editor, year=2024)
    assert error.value.messages == [
        "Comment on each change against 2023 larger than 10 % before submitting "
        "2024: Scope 3; Total; OSL · Flight."
    ]
    assert _year(org).status == YearStatus.OPEN
    year_change_comments_set(
        organisation=org, actor=editor, year=2024, comments=COMMENTS
    )
    year_submit(organisation=org, actor=editor, year=2024)
    reporting_year = _year(org)
    assert reporting_year.status == YearStatus.SUBMITTED
    assert reporting_year.change_comments == COMMENTS


def test_comments_are_kept_in_the_history_and_an_empty_one_is_removed(
    two_years, editor
):
    org = two_years
    year_change_comments_set(
        organisation=org, actor=editor, year=2024, comments=COMMENTS
    )
    year_change_comments_set(
        organisation=org,
        actor=editor,
        year=2024,
        comments={"total": "  ", "scope3": "Rail first."},
    )
    reporting_year = _year(org)
    assert reporting_year.change_comments == {
        "line:OSL:flight": "Fewer flights to Stockholm.",
        "scope3": "Rail first.",
    }
    versions = [
        (record.history_change_reason, record.change_comments)
        for record in reporting_year.history.order_by("history_id")
    ]
    assert versions[-2:] == [
        ("changes commented", COMMENTS),
        ("changes commented", reporting_year.change_comments),
    ]


def test_a_comment_on_no_change_of_the_review_is_refused(two_years, editor):
    with pytest.raises(ValidationError, match="not one of the changes of 2024"):
        year_change_comments_set(
            organisation=two_years,
            actor=editor,
            year=2024,
            comments={"line:BGO:flight": "?"},
        )
    assert _year(two_years).change_comments == {}


def test_comments_are_written_while_the_year_is_open(two_years, editor, viewer):
    org = two_years
    with pytest.raises(ValidationError):  # a viewer does not submit
        year_change_comments_set(
            organisation=org, actor=viewer, year=2024, comments=COMMENTS
        )
    year_change_comments_set(
        organisation=org, actor=editor, year=2024, comments=COMMENTS
    )
    year_submit(organisation=org, actor=editor, year=2024)
    with pytest.raises(ValidationError, match="while the year is open"):
        year_change_comments_set(
            organisation=org, actor=editor, year=2024, comments={"total": "x"}
        )


def test_the_approvers_get_an_email_in_their_language_once_submitted(
    two_years, editor, admin, viewer, auditor, django_capture_on_commit_callbacks
):
    org = two_years
    admin.language = "nb"
    admin.save()
    approver = Membership.objects.get(user=viewer)
    approver.may_approve = True
    approver.save()
    # A limited administrator is not asked to approve the whole organisation.
    limited = UserFactory(email="limited-admin@acme.example")
    MembershipFactory(
        user=limited, organisation=org, role=Role.ADMIN
    ).business_units.set([BusinessUnitFactory(organisation=org, code="BGO")])
    year_change_comments_set(
        organisation=org, actor=editor, year=2024, comments=COMMENTS
    )
    with django_capture_on_commit_callbacks(execute=True):
        year_submit(organisation=org, actor=editor, year=2024)
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        ("admin@acme.example", "Acme Nordic AS: 2024 venter på din godkjenning"),
        ("viewer@acme.example", "Acme Nordic AS: 2024 awaits your approval"),
    ]
    body = next(m.body for m in mail.outbox if m.to == ["viewer@acme.example"])
    assert f"{editor} submitted the inventory for 2024 of Acme Nordic AS." in body
    assert body.endswith("/o/acme/years/2024/approve/\n")


def test_a_membership_limited_to_some_units_neither_submits_nor_comments(org, unit):
    limited = UserFactory(email="limited@acme.example")
    MembershipFactory(
        user=limited, organisation=org, role=Role.EDITOR
    ).business_units.set([unit])
    for action, kwargs in (
        (year_submit, {}),
        (year_change_comments_set, {"comments": {}}),
    ):
        with pytest.raises(ValidationError) as error:
            action(organisation=org, actor=limited, year=2024, **kwargs)
        assert error.value.code == "whole_organisation"


# --- Approving: open findings, four eyes -------------------------------------


@pytest.fixture
def submitted(two_years, editor):
    year_change_comments_set(
        organisation=two_years, actor=editor, year=2024, comments=COMMENTS
    )
    year_submit(organisation=two_years, actor=editor, year=2024)
    return two_years


@pytest.fixture
def finding(submitted, auditor):
    return Finding.objects.create(
        organisation=submitted,
        reporting_year=_year(submitted),
        text="Tickets missing for March.",
        raised_by=auditor,
    )


def test_approval_with_an_open_finding_needs_a_reason_that_is_recorded(
    submitted, finding, admin
):
    org = submitted
    with pytest.raises(ValidationError) as error:
        year_approve(organisation=org, actor=admin, year=2024)
    assert error.value.messages == [
        "2024 has audit findings that are not resolved (1). Give the reason for "
        "approving it before they are resolved; it is kept in the year's history "
        "and printed in the report."
    ]
    year_approve(
        organisation=org,
        actor=admin,
        year=2024,
        open_findings_reason="The tickets are on their way; not material.",
    )
    reporting_year = _year(org)
    assert reporting_year.status == YearStatus.APPROVED
    assert reporting_year.open_findings_at_approval == (
        f"#{finding.pk}: Tickets missing for March."
    )
    assert reporting_year.open_findings_reason == (
        "The tickets are on their way; not material."
    )
    assert _last_reason(reporting_year) == "approved, 1 open finding(s) with a reason"
    last = reporting_year.history.order_by("-history_id").first()
    assert last.open_findings_reason == "The tickets are on their way; not material."


def test_a_long_reason_is_kept_whole_on_the_year_and_short_in_the_change_reason(
    submitted, admin, admin2
):
    year_approve(organisation=submitted, actor=admin, year=2024)
    reason = "The supplier's annual statement arrived after the approval. " * 20
    year_unlock(organisation=submitted, actor=admin2, year=2024, reason=reason)
    reporting_year = _year(submitted)
    assert reporting_year.unlock_reason == reason.strip()
    change_reason = _last_reason(reporting_year)
    assert len(change_reason) == 100
    assert change_reason.startswith("unlocked: The supplier's annual statement")
    assert change_reason.endswith("…")


def test_a_resolved_finding_needs_no_reason(submitted, finding, admin):
    finding.status = "resolved"
    finding.save()
    year_approve(organisation=submitted, actor=admin, year=2024)
    reporting_year = _year(submitted)
    assert reporting_year.open_findings_at_approval == ""
    assert _last_reason(reporting_year) == "approved"


def test_a_sole_administrator_cannot_approve_their_own_year_by_default(org, admin):
    year_submit(organisation=org, actor=admin, year=2024)
    with pytest.raises(ValidationError) as error:
        year_approve(organisation=org, actor=admin, year=2024)
    assert error.value.messages == [
        "You submitted 2024 yourself and no other member may approve it (four-eyes "
        "rule). Name an approver among the members, or allow a sole administrator "
        "to approve their own year in the organisation's settings."
    ]
    assert _year(org).status == YearStatus.SUBMITTED


def test_a_sole_administrator_approves_alone_where_the_settings_allow_it(
    org, admin, editor
):
    org.allow_self_approval = True
    org.save()
    year_submit(organisation=org, actor=admin, year=2024)
    year_approve(organisation=org, actor=admin, year=2024)
    reporting_year = _year(org)
    assert reporting_year.status == YearStatus.APPROVED
    assert reporting_year.approved_by == reporting_year.submitted_by == admin
    assert reporting_year.approved_without_second_person is True
    assert _last_reason(reporting_year) == (
        "approved, approved without a second person"
    )
    # Unlocking clears what the approval recorded; the history keeps it.
    year_unlock(organisation=org, actor=admin, year=2024, reason="Late invoice")
    assert _year(org).approved_without_second_person is False


def test_with_another_approver_the_setting_does_not_apply(org, admin, viewer):
    org.allow_self_approval = True
    org.save()
    approver = Membership.objects.get(user=viewer)
    approver.may_approve = True
    approver.save()
    year_submit(organisation=org, actor=admin, year=2024)
    with pytest.raises(ValidationError) as error:
        year_approve(organisation=org, actor=admin, year=2024)
    assert error.value.messages == [
        "You submitted 2024 yourself; another member who may approve years must "
        "approve it (four-eyes rule)."
    ]
    # The named approver (a viewer) approves it.
    year_approve(organisation=org, actor=viewer, year=2024)
    reporting_year = _year(org)
    assert (
        reporting_year.approved_by,
        reporting_year.approved_without_second_person,
    ) == (
        viewer,
        False,
    )


def test_the_database_refuses_a_submitter_approving_without_the_record(org, admin):
    year_submit(organisation=org, actor=admin, year=2024)
    reporting_year = _year(org)
    reporting_year.status = YearStatus.APPROVED
    reporting_year.approved_by = admin
    with pytest.raises(IntegrityError), transaction.atomic():
        reporting_year.save()


def test_named_approvers_are_editors_or_viewers_of_the_whole_organisation(
    org, admin, editor, auditor, unit
):
    membership = Membership.objects.get(user=auditor)
    with pytest.raises(ValidationError) as error:
        member_change_role(
            organisation=org,
            actor=admin,
            membership=membership,
            role=Role.AUDITOR,
            may_approve=True,
        )
    assert "auditors review the years" in error.value.message_dict["may_approve"][0]
    membership = Membership.objects.get(user=editor)
    with pytest.raises(ValidationError) as error:
        member_change_role(
            organisation=org,
            actor=admin,
            membership=membership,
            role=Role.EDITOR,
            business_units=[unit],
            may_approve=True,
        )
    assert (
        "leave the business units empty" in error.value.message_dict["may_approve"][0]
    )
    member_change_role(
        organisation=org,
        actor=admin,
        membership=membership,
        role=Role.EDITOR,
        may_approve=True,
    )
    membership.refresh_from_db()
    assert membership.may_approve and membership.can("approve")
    assert not membership.can("manage")
    # Made an administrator, the flag goes: the role approves.
    member_change_role(
        organisation=org, actor=admin, membership=membership, role=Role.ADMIN
    )
    membership.refresh_from_db()
    assert membership.may_approve is False


# --- Pages -------------------------------------------------------------------


def test_the_year_page_shows_the_review_and_saves_the_comments(
    client_for, two_years, editor
):
    client = client_for(editor)
    url = reverse("year_detail", args=["acme", 2024])
    html = client.get(url).content.decode()
    assert "Readiness review" in html
    assert html.count('class="badge comment-needed"') == 3
    assert 'name="line:OSL:flight"' in html
    response = client.post(
        reverse("year_change_comments", args=["acme", 2024]),
        {**COMMENTS, "scope1": ""},
    )
    assert response.status_code == 302
    assert _year(two_years).change_comments == COMMENTS
    html = client.get(url).content.decode()
    assert 'class="badge comment-needed"' not in html
    response = client.post(
        reverse("year_change_comments", args=["acme", 2024]),
        {"total": "x" * 2001},
    )
    assert response.status_code == 400
    assert "at most 2000 characters" in response.content.decode()
    assert _year(two_years).change_comments == COMMENTS


def test_submitting_without_the_comments_says_which_are_missing(
    client_for, two_years, editor
):
    response = client_for(editor).post(
        reverse("year_submit", args=["acme", 2024]), follow=True
    )
    assert "before submitting 2024: Scope 3; Total; OSL · Flight." in (
        response.content.decode()
    )
    assert _year(two_years).status == YearStatus.OPEN


def test_a_limited_member_sees_no_review_and_cannot_submit(client_for, org, unit):
    limited = UserFactory(email="limited@acme.example")
    MembershipFactory(
        user=limited, organisation=org, role=Role.EDITOR
    ).business_units.set([unit])
    client = client_for(limited)
    html = client.get(reverse("year_detail", args=["acme", 2024])).content.decode()
    assert "Readiness review" not in html
    assert "your membership is limited to some business units" in html
    assert client.post(reverse("year_submit", args=["acme", 2024])).status_code == 403
    assert not ReportingYear.objects.filter(organisation=org).exists()


def test_the_approval_confirms_the_figures_and_asks_the_reason_for_open_findings(
    client_for, submitted, finding, admin
):
    client = client_for(admin)
    url = reverse("year_approve", args=["acme", 2024])
    html = client.get(url).content.decode()
    assert "Confirm the approval" in html
    assert "Tickets missing for March." in html
    assert "Travel policy: rail first." in html  # the comments, read-only
    assert 'name="open_findings_reason"' in html
    assert 'name="line:OSL:flight"' not in html
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == url
    assert "audit findings that are not resolved (1)" in response.content.decode()
    assert _year(submitted).status == YearStatus.SUBMITTED
    response = client.post(url, {"open_findings_reason": "Not material."})
    assert response["Location"] == reverse("year_detail", args=["acme", 2024])
    reporting_year = _year(submitted)
    assert reporting_year.status == YearStatus.APPROVED
    assert reporting_year.open_findings_reason == "Not material."
    html = client.get(reverse("year_detail", args=["acme", 2024])).content.decode()
    assert "Reason for approving with open findings" in html


def test_approvers_see_what_awaits_approval(
    client_for, submitted, admin, editor, viewer
):
    home = reverse("org_home", args=["acme"])
    html = client_for(admin).get(home).content.decode()
    assert "2024 is awaiting approval." in html
    assert reverse("year_approve", args=["acme", 2024]) in html
    assert "awaiting approval" not in client_for(editor).get(home).content.decode()
    assert "awaiting approval" not in client_for(viewer).get(home).content.decode()


def test_the_submitter_is_told_someone_else_approves(client_for, org, admin, admin2):
    year_submit(organisation=org, actor=admin, year=2024)
    html = (
        client_for(admin)
        .get(reverse("year_approve", args=["acme", 2024]))
        .content.decode()
    )
    assert "another member who may approve years must approve it" in html
    assert "Approve and lock" not in html
    html = (
        client_for(admin2)
        .get(reverse("year_approve", args=["acme", 2024]))
        .content.decode()
    )
    assert "Approve and lock" in html


def test_a_sole_administrator_is_told_the_approval_is_recorded_alone(
    client_for, org, admin
):
    org.allow_self_approval = True
    org.save()
    year_submit(organisation=org, actor=admin, year=2024)
    html = (
        client_for(admin)
        .get(reverse("year_approve", args=["acme", 2024]))
        .content.decode()
    )
    assert "approved without a second person" in html
    assert "Approve and lock" in html


def test_the_settings_page_sets_the_threshold_and_self_approval(client_for, org, admin):
    response = client_for(admin).post(
        reverse("settings_organisation", args=["acme"]),
        {
            "name": org.name,
            "country": "NO",
            "base_year": 2019,
            "consolidation_approach": "operational",
            "language": "en",
            "scope2_headline": "market",
            "change_comment_threshold_pct": "12.5",
            "allow_self_approval": "on",
        },
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.change_comment_threshold_pct == Decimal("12.5")
    assert org.allow_self_approval is True


def test_the_member_page_names_an_approver(client_for, org, admin, viewer):
    membership = Membership.objects.get(user=viewer)
    url = reverse("member_edit", args=["acme", membership.pk])
    response = client_for(admin).post(url, {"role": "viewer", "may_approve": "on"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.may_approve is True
    html = client_for(admin).get(reverse("member_list", args=["acme"])).content.decode()
    assert "named approver" in html
