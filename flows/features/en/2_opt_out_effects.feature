# language: en
Feature: What an opt-out changes, and opting out again
  While opted out, a trading platform login does not use the security device, and the account is
  restricted (for example, trading Pink Sheet or OTCBB stocks).
  A primary user who accepts the opt-out agreement can opt out again.

  Background:
    Given the Client Portal in language "en"

  Scenario: While opted out, a trading platform login takes the password alone
    Given a primary user "Smith" who opted out of SLS
    When "Smith" logs in to the trading platform
    Then no Security Code is asked for

  Scenario: After the opt-out is cancelled, a trading platform login asks for the Security Code too
    Given a primary user "Smith" enrolled in SLS
    When "Smith" logs in to the trading platform
    Then the Security Code is asked for
    And the Account page shows "Pink Sheet and OTCBB orders" as "Allowed"

  Scenario: A primary user accepts the opt-out agreement and opts out again
    Given a primary user "Smith" enrolled in SLS
    When "Smith" logs in to the portal and opens the Secure Login Settings
    And reads and accepts the opt-out agreement, signs it with their username, continues and clicks OK in the confirmation
    Then the Secure Login Settings show "Secure Login is not required for trading"
    And the portal's records show "Smith" opted out of SLS
    And the Account page shows "Pink Sheet and OTCBB orders" as "Not allowed"
