# language: en
Feature: The article's steps on today's login page
  The brokerage's login page has become one page since the article was written: the username and
  password, the choice of a second factor device and the Security Code are blocks of the same page,
  shown as the server answers (the Client Portal Gateway's login is the same page). The article's
  step 3 happens on it.

  Background:
    Given the Client Portal in language "en"
    And the login page is today's single-page login

  Scenario: A primary user cancels the opt-out with the article's steps, logging in on today's page
    Given a primary user "Smith" who opted out of SLS
    When Open a browser and go to ibkr.com.
    And Click Log In > Portal Login.
    Then today's login page is shown
    When Enter your login credentials and complete authentication with your security device.
    And In the left menu click Settings > User Settings, then the gear beside Secure Login System.
    And Click the settings icon in the Secure Login Settings box.
    And Select "I would like to always use my Secure Login Device when logging in" and click Continue.
    And A confirmation of the settings update appears. Click OK to finish.
    Then the Secure Login Settings show "Secure Login is required for trading"
    And the portal's records show "Smith" enrolled in SLS

  Scenario Outline: Authentication completes with every security device on today's page
    Given a primary user "Smith" with the security device "<device>" who opted out of SLS
    When Open a browser and go to ibkr.com.
    And Click Log In > Portal Login.
    Then today's login page is shown
    When Enter your login credentials and complete authentication with your security device.
    Then the Client Portal's menu is shown

    Examples:
      | device             |
      | ibkey              |
      | sms                |
      | dsc_plus           |
      | temporary_passcode |
