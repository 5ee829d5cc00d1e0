"""Reads about people and their organisations, each limited to what the viewer may see."""

from __future__ import annotations

from django.db.models import Case, Q, QuerySet, When

from tongban.accounts.models import MemberRole, Organisation, OrganisationMember, User


def login_name_for(identifier: str) -> str:
    """The username of the account an ID number, mobile number or username names.

    Login throttling counts failures per account, so all three ways of naming one account
    must count together; an identifier matching no account is returned normalised.
    """
    ident = (identifier or "").strip()
    if not ident:
        return ""
    username = (
        User.objects.filter(Q(username=ident) | Q(id_number=ident.upper()) | Q(phone=ident))
        .values_list("username", flat=True)
        .first()
    )
    return username or ident.upper()


def memberships_of(user: User) -> QuerySet[OrganisationMember]:
    """The organisations ``user`` currently acts for, with the organisation loaded."""
    return (
        OrganisationMember.objects.filter(user_id=user.pk, is_active=True)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def organisation_for_member(user: User, org_id: int) -> tuple[Organisation, OrganisationMember]:
    """The organisation ``org_id`` and ``user``'s membership in it.

    Raises ``OrganisationMember.DoesNotExist`` when ``user`` does not act for it, so another
    person's business is indistinguishable from one that does not exist.
    """
    member = OrganisationMember.objects.select_related("organisation").get(
        organisation_id=org_id, user_id=user.pk, is_active=True
    )
    return member.organisation, member


def active_members(org: Organisation) -> QuerySet[OrganisationMember]:
    """Everyone who currently acts for ``org``, legal representative first."""
    return (
        OrganisationMember.objects.filter(organisation=org, is_active=True)
        .select_related("user")
        .order_by(Case(When(role=MemberRole.LEGAL_REPRESENTATIVE, then=0), default=1), "granted_at")
    )
