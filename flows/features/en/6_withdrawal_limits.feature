# language: en
Feature: Withdrawal limits by security device
  The article's references set how much may be withdrawn: a one-day and a five-day limit for each
  security device, and a pair for a user without one, as an opted-out user is (KB1131). The device
  that authenticates a withdrawal sets its limit (KB2895).

  Background:
    Given the Client Portal in language "en"

  Scenario: An opted-out user meets the limits for no security device
    Given a primary user "Smith" who opted out of SLS, with an account equity of USD 400,000
    When "Smith" logs in to the portal
    Then the Account page shows the withdrawal limits "USD 50,000" per day and "USD 100,000" over five days for no security device
    When "Smith" requests a withdrawal of "60,000"
    Then the withdrawal is refused with a message naming "USD 50,000"
    When "Smith" requests a withdrawal of "45,000"
    Then the withdrawal is accepted
    And the portal's records show "Smith" withdrew "USD 45,000" today
