"""Page objects, one class per screen or dialog of the article."""
from .portal import (ConfirmationDialog, PortalMenu, SecureLoginSettingsBox, SecureLoginSettingsPage,
                     UserSettingsPage)
from .public import HomePage, LoginPage, SecondFactorPage

__all__ = ["ConfirmationDialog", "HomePage", "LoginPage", "PortalMenu", "SecondFactorPage",
           "SecureLoginSettingsBox", "SecureLoginSettingsPage", "UserSettingsPage"]
