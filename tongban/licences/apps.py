from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicencesConfig(AppConfig):
    name = "tongban.licences"
    label = "licences"
    verbose_name = _("Electronic licences")

    def ready(self) -> None:
        from tongban.cases import materials as case_materials
        from tongban.cases import notices  # noqa: F401 - its listeners and outbox handler
        from tongban.cases.signals import completion_details, subcase_decided

        from . import reuse
        from .receivers import completion_detail, on_subcase_decided

        if reuse.offers not in case_materials.MATERIAL_OFFER_PROVIDERS:
            case_materials.MATERIAL_OFFER_PROVIDERS.append(reuse.offers)
        subcase_decided.connect(on_subcase_decided, dispatch_uid="licences.issue_on_decision")
        completion_details.connect(completion_detail, dispatch_uid="licences.completion_detail")
        from tongban.licences import nav  # noqa: F401 - registers its ways in
