// Today's login page (templates/login/today.html): each step is a block that this script shows as
// the server answers. The forms post where the seed's do, asking for JSON; the answer names the
// next block (mock_portal/login/todays_page.py). No reload between the steps, as on the live page.
(function () {
  "use strict";
  var main = document.getElementById("xyz-login");
  if (!main) return;
  var q = function (selector) { return main.querySelector(selector); };
  var blocks = main.querySelectorAll(".xyzblock");
  var errorBlock = q(".xyzblock-error"), errorText = q(".xyz-errormessage");
  var notice = q(".xyz-notice"), prompt = q(".xyz-prompt"), loading = q(".xyzblock-loading");
  var select = q(".xyz-multipleselect");
  var STEP_BLOCKS = {
    username: ".xyzblock-username", choose: ".xyzblock-multiplesf", silver: ".xyzblock-silver",
    notification: ".xyzblock-notification", gold: ".xyzblock-manualibkey", temp: ".xyzblock-temp",
    bronze: ".xyzblock-bronze", mobile: ".xyzblock-mobileapproval", promo: ".xyzblock-ibkeypromo"
  };
  // The promotion's Continue is enabled this long after it shows, and the screen goes on by itself
  // after PROMOTION_GOES_ON (Voyz/ibeam#68, #62); the approval in IBKR Mobile is asked about every POLL.
  var PROMOTION_ENABLES = 2000, PROMOTION_GOES_ON = 120000, POLL = 1000;
  var busy = false, step = "username", timers = [];

  function say(element, text) {
    element.textContent = text || "";
    element.hidden = !text;
  }

  function showError(text) {
    say(errorText, text);
    errorBlock.hidden = !text;
  }

  function showOnly(step) {
    blocks.forEach(function (block) {
      if (block !== errorBlock) block.hidden = true;
    });
    var block = q(STEP_BLOCKS[step]);
    if (block) block.hidden = false;
    return block;
  }

  function fillDevices(devices) {
    while (select.options.length > 1) select.remove(1);
    devices.forEach(function (device) {
      select.add(new Option(device.label, device.value));
    });
    select.value = "";
  }

  function later(action, ms) {
    timers.push(window.setTimeout(action, ms));
  }

  function show(answer) {
    if (answer.csrf_token) {
      main.querySelectorAll("input[name=csrf_token]").forEach(function (input) { input.value = answer.csrf_token; });
    }
    if (answer.step === "done") {
      window.location.assign(answer.redirect);
      return;
    }
    showError(answer.error);
    if (!(answer.step in STEP_BLOCKS)) return;  // a refusal of the request itself: the step stays
    if (answer.step !== step) {  // a step's timers end with it
      timers.forEach(window.clearTimeout);
      timers = [];
    }
    step = answer.step;
    if (step === "mobile") later(askAboutApproval, POLL);
    if (step === "promo") showPromotion();
    say(notice, answer.notice);
    say(prompt, answer.prompt);
    var block = showOnly(answer.step);
    if (answer.step === "choose") fillDevices(answer.devices || []);
    // The challenge as the seed's page shows it (data-challenge, data-card-indexes), for the devices.
    var gold = q(".xyz-goldchallenge"), bronze = q(".xyz-bronzechallenge");
    gold.textContent = bronze.textContent = answer.challenge || "";
    gold.dataset.challenge = answer.step === "bronze" ? "" : answer.challenge || "";
    bronze.dataset.cardIndexes = answer.step === "bronze" ? answer.challenge : "";
    var resend = block && block.querySelector(".xyz-resend-sms-button");
    if (resend) resend.hidden = !answer.resend;
    var field = block && block.querySelector("input[name=code], input[name=password]");
    if (field && answer.step !== "username") field.value = "";
    if (field) field.focus();
  }

  function post(url, data) {
    if (busy) return;  // one request at a time: a double click sends one
    busy = true;
    loading.hidden = false;
    main.setAttribute("aria-busy", "true");
    fetch(url, {
      method: "POST", body: new URLSearchParams(data), credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json();
    }).then(show, function () {
      showError(main.dataset.failed);
    }).then(function () {
      busy = false;
      loading.hidden = true;
      main.removeAttribute("aria-busy");
    });
  }

  function csrf() {
    return main.querySelector("input[name=csrf_token]").value;
  }

  // The approval in IBKR Mobile: the answer comes from the phone, so the page asks until it has
  // one, quietly (no loading block), and not while another request is under way.
  function askAboutApproval() {
    if (busy) {
      later(askAboutApproval, POLL);
      return;
    }
    busy = true;
    fetch(main.dataset.mobileUrl, {
      method: "POST", body: new URLSearchParams({ csrf_token: csrf() }), credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json();
    }).then(function (answer) {
      busy = false;
      show(answer);
    }, function () {
      busy = false;
      later(askAboutApproval, POLL);
    });
  }

  q(".xyz-mobile-usecode").addEventListener("click", function (event) {
    event.preventDefault();
    post(main.dataset.mobileUrl, { csrf_token: csrf(), use_code: "1" });
  });

  var promoSkip = q(".ibkey-promo-skip");

  function showPromotion() {
    promoSkip.setAttribute("aria-disabled", "true");
    later(function () { promoSkip.removeAttribute("aria-disabled"); }, PROMOTION_ENABLES);
    later(goOn, PROMOTION_GOES_ON);
  }

  function goOn() {
    post(main.dataset.continueUrl, { csrf_token: csrf() });
  }

  promoSkip.addEventListener("click", function (event) {
    event.preventDefault();
    if (promoSkip.getAttribute("aria-disabled") !== "true") goOn();
  });

  q(".xyzform-username").addEventListener("submit", function (event) {
    event.preventDefault();
    post(event.target.action, new FormData(event.target));
  });

  var paper = q("#toggle1"), loginButton = q(".xyzform-username .xyz-button-login");
  paper.addEventListener("change", function () {
    loginButton.textContent = paper.checked ? loginButton.dataset.paperText : loginButton.dataset.liveText;
    q(".xyz-logintype").value = paper.checked ? "2" : "1";
  });

  // The device is chosen by the picker's change: the live page has no button for it.
  select.addEventListener("change", function () {
    if (select.value) post(main.dataset.deviceUrl, { csrf_token: csrf(), device: select.value });
  });

  main.querySelectorAll("form[data-code-form]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      post(main.dataset.codeUrl, new FormData(form));
    });
  });

  main.querySelectorAll("[data-resend]").forEach(function (button) {
    button.addEventListener("click", function () {
      post(main.dataset.resendUrl, { csrf_token: csrf() });
    });
  });

  // IB Key: "Didn't receive the notification?" shows the same open challenge to answer by hand.
  q(".xyz-showchallenge").addEventListener("click", function (event) {
    event.preventDefault();
    showOnly("gold");
    q("#xyz-field-gold-response").focus();
  });
}());
