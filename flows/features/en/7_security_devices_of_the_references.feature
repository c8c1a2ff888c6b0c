# language: en
Feature: One device for several usernames, a replacement Digital Security Card+, and its return
  One security device may serve the usernames of one person or entity, if none of them has a
  temporary device and the most protective device is the one shared (KB2481). A replacement
  Digital Security Card+ is requested from the Secure Login System (KB1943); its fee is held on the
  account from its issue until it is returned (KB1861, KB975).

  Background:
    Given the Client Portal in language "en"
    And the Client Portal of the article's current revision

  Scenario: A device is shared only between the usernames of one person
    Given a primary user "Jones" enrolled in SLS, identified by "passport TK0000001"
    And a primary user "Brown" enrolled in SLS, identified by "passport ZZ0000009"
    And a primary user "Smith" who opted out of SLS, identified by "passport TK0000001"
    When "Smith" logs in to the portal
    And "Smith" asks to share the security device of "Brown"
    Then the request is refused, naming "Brown"
    When "Smith" asks to share the security device of "Jones"
    Then the portal's records show "Smith" enrolled in SLS

  Scenario: A replacement Digital Security Card+ is requested, activated and returned
    Given a primary user "Smith" enrolled in SLS, with an account equity of USD 1,500,000 and an address on file
    When "Smith" logs in to the portal
    And "Smith" requests a replacement Digital Security Card+ with the PIN "2580" and activates it when it arrives
    Then the Withdrawal Limits show "USD 20" held for security devices
    When "Smith" returns the Digital Security Card+ and it is received
    Then the Withdrawal Limits show "USD 0" held for security devices
