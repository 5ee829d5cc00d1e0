"""Application forms of the demo city: every bundle's members and a dozen single items.

Each form names entries of the standard data-element dictionary; a bundle's form is the
union, so 开办企业一件事 asks the business name, address and legal representative once
although five departments use them. Each fact has one element: the restaurant's members
all use the individual business's name, premises and operator (``SOLE_TRADER``), never a
company's 企业名称, 住所 or 法定代表人 beside them.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from tongban.cases.elements import sync_elements
from tongban.cases.models import DataElement, DefinitionStatus, FormDefinition
from tongban.catalog.models import ServiceItem
from tongban.demo.catalogue.build import item_definitions

REQ, OPT = True, False

PERSON = [("applicant.name", REQ), ("applicant.id_number", REQ), ("applicant.phone", REQ)]
BUSINESS = [
    ("enterprise.name", REQ),
    ("enterprise.address", REQ),
    ("enterprise.legal_representative", REQ),
    ("applicant.name", REQ),
    ("applicant.phone", REQ),
]
#: An individual business (个体工商户): a name (字号), premises and an operator (经营者),
#: who usually applies in person; the phone is for progress messages.
SOLE_TRADER = [
    ("shop.name", REQ),
    ("shop.address", REQ),
    ("operator.name", REQ),
    ("applicant.phone", REQ),
]
#: Who died, and who applies for what follows (the applicant is a close relative).
DECEASED = [
    ("deceased.name", REQ),
    ("deceased.id_number", REQ),
    ("deceased.death_date", REQ),
    ("deceased.relationship", REQ),
]

FORMS: dict[str, list[tuple[str, bool]]] = {
    # 开办企业一件事
    "company-setup": [
        *BUSINESS,
        ("enterprise.type", REQ),
        ("enterprise.registered_capital", REQ),
        ("enterprise.business_scope", REQ),
        ("enterprise.employees", OPT),
    ],
    "seal-filing": [*BUSINESS, ("seal.count", REQ)],
    "tax-first-registration": [*BUSINESS, ("tax.taxpayer_type", REQ)],
    "invoice-type": [*BUSINESS, ("tax.invoice_type", REQ)],
    "employer-social-insurance": [
        *BUSINESS,
        ("enterprise.employees", REQ),
        ("social.start_month", REQ),
    ],
    "employer-medical": [*BUSINESS, ("enterprise.employees", REQ), ("social.start_month", REQ)],
    "gjj-employer-registration": [*BUSINESS, ("gjj.deposit_rate", REQ), ("bank.account_bank", OPT)],
    # 新生儿出生一件事
    "birth-certificate": [
        *PERSON,
        ("child.name", REQ),
        ("child.sex", REQ),
        ("child.birth_date", REQ),
        ("child.birth_place", REQ),
        ("mother.name", REQ),
        ("mother.id_number", REQ),
        ("father.name", OPT),
        ("father.id_number", OPT),
    ],
    "vaccination-card": [*PERSON, ("child.name", REQ), ("child.birth_date", REQ)],
    "birth-hukou": [
        *PERSON,
        ("child.name", REQ),
        ("child.sex", REQ),
        ("child.birth_date", REQ),
        ("household.address", REQ),
    ],
    "resident-medical-registration": [*PERSON, ("child.name", REQ), ("child.birth_date", REQ)],
    "resident-medical-premium": [*PERSON, ("child.name", REQ)],
    "social-security-card": [*PERSON, ("child.name", REQ), ("applicant.address", OPT)],
    # 开办餐饮店一件事
    "sole-trader-setup": [*SOLE_TRADER, ("enterprise.business_scope", REQ)],
    "food-business-permit": [*SOLE_TRADER, ("food.category", REQ), ("shop.area", REQ)],
    "fire-safety-check": [*SOLE_TRADER, ("shop.area", REQ)],
    "drainage-permit": [*SOLE_TRADER, ("drainage.volume", REQ)],
    "signboard": [*SOLE_TRADER, ("signboard.size", REQ)],
    "food-worker-health": [*SOLE_TRADER, ("staff.count", REQ)],
    # 企业注销一件事
    "tax-clearance": [*BUSINESS, ("enterprise.uscc", REQ)],
    "employer-si-deregister": [*BUSINESS, ("enterprise.uscc", REQ)],
    "gjj-employer-close": [*BUSINESS, ("enterprise.uscc", REQ), ("bank.account_bank", OPT)],
    "company-deregister": [*BUSINESS, ("enterprise.uscc", REQ), ("deregistration.reason", REQ)],
    # 退休一件事
    "pension-claim": [*PERSON, ("retirement.date", REQ), ("bank.account_bank", REQ)],
    "retiree-medical": [*PERSON, ("retirement.date", REQ)],
    "gjj-retirement": [*PERSON, ("retirement.date", REQ), ("bank.account_bank", REQ)],
    # 公民身后一件事
    "death-hukou": [*PERSON, *DECEASED],
    "funeral-grant": [*PERSON, *DECEASED, ("bank.account_bank", REQ)],
    "funeral-relief": [*PERSON, *DECEASED],
    # single items
    "driving-licence-renewal": [
        *PERSON,
        ("vehicle.licence_number", REQ),
        ("applicant.address", OPT),
    ],
    "hk-macao-permit": [*PERSON, ("travel.destination", REQ), ("travel.purpose", REQ)],
    "no-crime-record": [*PERSON, ("certificate.purpose", REQ)],
    "library-card": [*PERSON, ("applicant.email", OPT)],
    "unemployment-benefit": [*PERSON, ("bank.account_bank", REQ), ("application.reason", REQ)],
    "gjj-purchase": [
        *PERSON,
        ("house.address", REQ),
        ("house.price", REQ),
        ("bank.account_bank", REQ),
    ],
    "disability-card": [*PERSON, ("disability.category", REQ), ("applicant.address", REQ)],
    "legal-aid": [*PERSON, ("application.reason", REQ)],
    "employment-registration": [
        *PERSON,
        ("employment.employer", REQ),
        ("employment.start_date", REQ),
    ],
    "marriage": [*PERSON, ("spouse.name", REQ), ("spouse.id_number", REQ)],
    "id-card": [*PERSON, ("applicant.address", REQ), ("application.reason", OPT)],
    "social-organisation": [*PERSON, ("enterprise.name", REQ), ("enterprise.address", REQ)],
}


def load_forms() -> int:
    """Publish each demo form: version 1 the first time, a new version when ``FORMS``
    changed since (cases keep the version they were filled against); returns how many
    versions were published."""
    created = 0
    with transaction.atomic():
        sync_elements(DataElement)
        definitions = item_definitions()
        for key, fields in FORMS.items():
            code = definitions[key]["implementation_code"]
            item = ServiceItem.objects.filter(implementation_code=code).first()
            if item is None:
                continue
            wanted = [{"element": element, "required": required} for element, required in fields]
            latest = FormDefinition.objects.filter(item=item).order_by("-version").first()
            if latest is not None and (
                latest.fields == wanted or latest.status != DefinitionStatus.PUBLISHED
            ):
                continue  # as published, or an administrator is working on a draft
            FormDefinition.objects.create(
                item=item,
                version=latest.version + 1 if latest else 1,
                fields=wanted,
                status=DefinitionStatus.PUBLISHED,
                published_at=timezone.now(),
            )
            created += 1
    return created
