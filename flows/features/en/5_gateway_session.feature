# language: en
Feature: The gateway's session as its users fight with it
  People who automate the login through the Client Portal Gateway (IBeam, ibind, EasyIB, their own
  scripts) meet more than the happy path: the live/paper switch and paper accounts, a login
  elsewhere that takes the brokerage session, a brokerage session not yet up after "Client login
  succeeds", and screens around the login that break scripts. The gateway shows each on demand
  (docs/gateway.md says where each is known from).

  Background:
    Given the Client Portal in language "en"
    And the Client Portal Gateway

  Scenario: A paper user logs in in paper mode, asked for no security device
    Given a gateway user "Smith" with a paper trading account
    When "Smith" logs in to the gateway in paper mode with the paper username
    Then the gateway shows "Client login succeeds"
    And the gateway's session is the paper trading account's

  Scenario: Each wrong mode is refused with its own message, and nothing is stored
    Given a gateway user "Smith" with a paper trading account
    When "Smith" logs in to the gateway in live mode with the paper username
    Then the login page says "You have selected the Live Account Mode, but the specified user is a Paper Trading user. Please select the correct Login mode."
    When "Smith" logs in to the gateway in paper mode with the live username
    Then the login page says "You have selected the Paper Trading Mode, but the specified user is a Live Account user. Please select the correct Login mode."
    And the gateway has no session

  Scenario: A login elsewhere competes, and only ssodh/init with compete takes the brokerage session back
    Given a gateway user "Smith"
    When "Smith" logs in to the gateway in live mode
    And "Smith" logs in elsewhere, on "tws"
    Then the gateway's session shows the competing login
    When a program initialises the brokerage session without compete
    Then the authentication status fails with "Force compete capability must be used together with compete flag"
    When a program initialises the brokerage session with compete
    Then the gateway's session is authenticated and not competing

  Scenario: "Client login succeeds", and the brokerage session is not up until ssodh/init
    Given a gateway user "Smith" whose brokerage session is not up after the login
    When "Smith" logs in to the gateway in live mode
    Then the gateway shows "Client login succeeds"
    And the gateway's session is not authenticated
    When a program initialises the brokerage session with compete
    Then the gateway's session is authenticated and not competing

  Scenario: The IB Key promotion after the login holds the session back until its Continue
    Given a gateway user "Smith" whose logins show the IB Key promotion
    When "Smith" logs in to the gateway in live mode
    Then the IB Key promotion is shown
    And the gateway has no session
    When clicks Continue on the IB Key promotion
    Then the gateway shows "Client login succeeds"

  Scenario: The login waits for an approval in IBKR Mobile instead of the code
    Given a gateway user "Smith" who approves logins in IBKR Mobile
    When "Smith" logs in to the gateway in live mode
    Then the login waits for an approval in IBKR Mobile
    When the phone approves the login in IBKR Mobile
    Then the gateway shows "Client login succeeds"
