# language: en
Feature: Cancel a Secure Login System opt-out
  Customers who opted out of the Secure Login System (SLS) carry more risk and are subject to
  restrictions (for example, trading Pink Sheet or OTCBB stocks).
  Only the primary user can change an account's security settings, after logging in to the Client Portal.
  A user who may not change them is shown a notice, together with the users who may.

  Background:
    Given the Client Portal in language "en"

  Scenario: A primary user cancels the opt-out with the article's steps
    Given a primary user "Smith" who opted out of SLS
    When Open a browser and go to ibkr.com.
    And Click Log In > Portal Login.
    And Enter your login credentials and complete authentication with your security device.
    And In the left menu click Settings > User Settings, then the gear beside Secure Login System.
    And Click the settings icon in the Secure Login Settings box.
    And Select "I would like to always use my Secure Login Device when logging in" and click Continue.
    And A confirmation of the settings update appears. Click OK to finish.
    Then the Secure Login Settings show "Secure Login is required for trading"
    And the portal's records show "Smith" enrolled in SLS
    And "Smith"'s OK was sent exactly once

  Scenario: Cancel in the confirmation changes nothing
    Given a primary user "Smith" who opted out of SLS
    When "Smith" logs in to the portal and opens the Secure Login Settings
    And Select "I would like to always use my Secure Login Device when logging in" and click Continue.
    And clicks Cancel in the confirmation
    Then the Secure Login Settings show "Secure Login is not required for trading"
    And the portal's records show "Smith" opted out of SLS

  Scenario: A non-primary user sees a notice and the users allowed to change the setting
    Given a primary user "Smith" who opted out of SLS
    And a non-primary user "Jones" of the same account as "Smith" who opted out of SLS
    When "Jones" logs in to the portal and opens the Secure Login Settings
    Then a notice says the user may not change this setting and names "Smith" as allowed to change it
    And the portal's records show "Jones" opted out of SLS

  Scenario: On the Classic Portal a primary user cancels another user's opt-out
    Given a primary user "Smith" enrolled in SLS
    And a non-primary user "Jones" of the same account as "Smith" who opted out of SLS
    When "Smith" clicks Manage Account > Security > Secure Login System > SLS Opt Out on the Classic Portal and the radio beside "Jones" to cancel the opt-out
    Then the Classic Portal shows the status of "Jones" as "Active"
    And the portal's records show "Jones" enrolled in SLS

  Scenario Outline: Authentication completes with every security device
    Given a primary user "Smith" with the security device "<device>" who opted out of SLS
    When Open a browser and go to ibkr.com.
    And Click Log In > Portal Login.
    And Enter your login credentials and complete authentication with your security device.
    Then the Client Portal's menu is shown

    Examples:
      | device             |
      | authenticator_app  |
      | ibkey              |
      | sms                |
      | dsc_plus           |
      | temporary_passcode |
