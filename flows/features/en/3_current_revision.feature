# language: en
Feature: Enroll in the Secure Login System on the portal of the article's current revision
  The current revision of the article reaches the Secure Login System through the User menu, and
  offers three ways to enroll a secure login device: IBKR Mobile (IB Key, activated by a QR code or
  an activation code), the Online Security Code Card, or a device the customer already uses under
  another username, which then serves both usernames.
  "Jones" is Smith's other username, with a Secure Login Device of its own.

  Background:
    Given the Client Portal in language "en"
    And the Client Portal of the article's current revision

  Scenario Outline: A primary user enrolls with each of the three choices
    Given a primary user "Jones" enrolled in SLS
    And a primary user "Smith" who opted out of SLS
    When Open a browser and go to ibkr.com.
    And Click Log In > Portal Login.
    And Enter your login credentials and complete authentication with your security device.
    And Click the User menu (head and shoulders icon in the top right corner) followed by Settings.
    And Under the User Settings section find Security and click Secure Login System.
    And Select one of the radio buttons below to enroll your secure login device: "<choice>" Then click Continue.
    And A confirmation of the settings update appears. Click OK.
    And <end>
    Then the portal's records show "Smith" enrolled in SLS
    And the portal's records show "Smith"'s new security device "<device>" serving <users>

    Examples:
      | choice                                                                              | end                                                                                                                              | device             | users               |
      | I would like to install IBKR Mobile and use my smart phone as my Secure Login Device. | Scan the QR code in IBKR Mobile (or enter the activation code) to activate IB Key, then click I have activated IB Key.          | ibkey              | "Smith"             |
      | I would like to enroll in the Secure Login System without installing IBKR Mobile.    | Print or save the Online Security Code Card, then at the next login enter the codes of the indexes it asks for.                  | security_code_card | "Smith"             |
      | I already have access to a Secure Login Device under a different username.          | Log in with your other username and its Secure Login Device: the device then serves both usernames.                              | authenticator_app  | "Smith" and "Jones" |
