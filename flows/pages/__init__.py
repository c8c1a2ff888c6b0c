"""Page objects, one class per screen or dialog of the article."""
from .classic import ClassicConfirmationDialog, ClassicOptOutPage, ClassicPortal
from .portal import (AccountPage, AuditLogPage, ConfirmationDialog, MessageCenterPage, OptOutAgreementPage,
                     OptOutConfirmationDialog, PortalMenu, SecureLoginSettingsBox, SecureLoginSettingsPage,
                     TradingPage, UserSettingsPage)
from .public import HomePage, LoginPage, SecondFactorPage

__all__ = ["AccountPage", "AuditLogPage", "ClassicConfirmationDialog", "ClassicOptOutPage", "ClassicPortal",
           "ConfirmationDialog", "HomePage", "LoginPage", "MessageCenterPage", "OptOutAgreementPage",
           "OptOutConfirmationDialog", "PortalMenu", "SecondFactorPage", "SecureLoginSettingsBox",
           "SecureLoginSettingsPage", "TradingPage", "UserSettingsPage"]
