"""The demo app's audit labels (admin autodiscovery loads this module)."""

from django.utils.translation import gettext_lazy as _

from tongban.core import auditlabels

auditlabels.register({"demo.load": _("Demo data loaded")})
