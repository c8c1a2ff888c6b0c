"""Page objects, one class per screen or dialog of the article."""
from .base import ConfirmationDialog, Screen
from .classic import ClassicConfirmationDialog, ClassicOptOutPage, ClassicPortal
from .seed import (AccountPage, AuditLogPage, MessageCenterPage, OptOutAgreementPage, OptOutConfirmationDialog,
                     PortalMenu, SecureLoginConfirmationDialog, SecureLoginSettingsBox, SecureLoginSettingsPage,
                     TradingPage, UserSettingsPage)
from .public import HomePage, LoginPage, LoginRefused, SecondFactorPage

__all__ = ["AccountPage", "AuditLogPage", "ClassicConfirmationDialog", "ClassicOptOutPage", "ClassicPortal",
           "ConfirmationDialog", "HomePage", "LoginPage", "LoginRefused", "MessageCenterPage", "OptOutAgreementPage",
           "OptOutConfirmationDialog", "PortalMenu", "Screen", "SecondFactorPage", "SecureLoginConfirmationDialog",
           "SecureLoginSettingsBox", "SecureLoginSettingsPage", "TradingPage", "UserSettingsPage"]
