// The patient's intake form: questions that appear when they apply, the tappable body map, and a
// draft of the current step in localStorage so nothing typed is lost to a closed tab or a dropped
// connection. The server is the record: a step's draft is cleared once the server has saved it.
(function () {
  "use strict";

  function storage() {
    try {
      var s = window.localStorage, probe = "stride-intake:probe";
      s.setItem(probe, "1");
      s.removeItem(probe);
      return s;
    } catch (e) {
      return null;
    }
  }
  var store = storage();

  function removeWithPrefix(prefix) {
    if (!store) return;
    for (var i = store.length - 1; i >= 0; i--) {
      var key = store.key(i);
      if (key && key.indexOf(prefix) === 0) store.removeItem(key);
    }
  }

  // The thank-you page: the server has everything, so no draft of this form stays on the device.
  var done = document.querySelector("[data-clear-drafts]");
  if (done) removeWithPrefix(done.getAttribute("data-clear-drafts"));

  // The patient's copy of their answers: a Print button (no inline script under the CSP).
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) window.print();
  });

  var form = document.querySelector("[data-intake-form]");
  if (!form) return;
  var draftKey = form.getAttribute("data-draft-key");
  var savedStep = form.getAttribute("data-saved-step");
  if (savedStep && store) store.removeItem(form.getAttribute("data-draft-prefix") + savedStep);
  if (savedStep && window.history.replaceState) {
    window.history.replaceState(null, "", window.location.pathname);
  }
  var statusBox = form.querySelector("[data-draft-status]");

  function say(message) {
    if (statusBox) statusBox.textContent = message;
  }

  function inputs(name) {
    return Array.prototype.filter.call(form.elements, function (el) { return el.name === name; });
  }

  // The answer(s) to a question as text, as the server reads them ("True"/"False" for one checkbox).
  function valuesOf(name) {
    var out = [];
    inputs(name).forEach(function (el) {
      if (el.type === "radio") {
        if (el.checked) out.push(el.value);
      } else if (el.type === "checkbox") {
        if (!el.hasAttribute("value")) out.push(el.checked ? "True" : "False");
        else if (el.checked) out.push(el.value);
      } else if (el.value !== "") {
        out.push(el.value);
      }
    });
    return out;
  }

  function applyConditions() {
    form.querySelectorAll("[data-show-if]").forEach(function (wrap) {
      var spec = wrap.getAttribute("data-show-if");
      var cut = spec.indexOf("=");
      var source = spec.slice(0, cut), wanted = spec.slice(cut + 1).split("|");
      var first = inputs(source)[0];
      var sourceWrap = first && first.closest("[data-show-if]");
      var visible = !(sourceWrap && sourceWrap.hidden) && valuesOf(source).some(function (v) {
        return wanted.indexOf(v) !== -1;
      });
      wrap.hidden = !visible;
    });
  }

  function anyTicked(level) {
    // A ticked item of this level, or "Yes" to such a question (forms drawn before the tick lists).
    return Array.prototype.some.call(form.querySelectorAll('input[data-urgent="' + level + '"]'), function (el) {
      return el.checked && (el.type === "checkbox" || el.value === "True");
    });
  }

  function applyUrgentAdvice() {
    var box = form.querySelector("[data-urgent-advice]");
    if (!box) return;
    box.hidden = !anyTicked("emergency");
    // Leg symptoms on both sides alone: call the clinic today; the emergency advice, when shown, covers it.
    var sameDay = form.querySelector("[data-same-day-advice]");
    if (sameDay) sameDay.hidden = !box.hidden || !anyTicked("same_day");
  }

  // --- Body map: each region is a button; a tap cycles none, pain, tingling, numbness. ---
  var KINDS = ["", "pain", "tingling", "numbness"];
  var WORDS = { "": "no symptoms", pain: "pain", tingling: "tingling", numbness: "numbness" };
  var MARKS = { "": "", pain: "P", tingling: "T", numbness: "N" };

  function mapInput(button) {
    return inputs("map_" + button.getAttribute("data-region"))[0];
  }

  function renderMap() {
    var marked = [];
    form.querySelectorAll("[data-region]").forEach(function (button) {
      var input = mapInput(button);
      var kind = input && KINDS.indexOf(input.value) !== -1 ? input.value : "";
      var label = button.getAttribute("data-label");
      button.setAttribute("data-kind", kind);
      button.setAttribute("aria-label", label + ": " + WORDS[kind]);
      button.querySelector(".body-region-mark").textContent = MARKS[kind];
      if (kind) marked.push(label + " (" + WORDS[kind] + ")");
    });
    var summary = form.querySelector("[data-map-summary]");
    if (summary) summary.textContent = marked.length ? "You marked: " + marked.join(", ") + "." : "Nothing marked yet.";
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("[data-region]");
    if (!button) return;
    var input = mapInput(button);
    if (!input) return;
    input.value = KINDS[(KINDS.indexOf(input.value) + 1) % KINDS.length];
    renderMap();
    saveDraft();
  });

  // --- Draft of this step on the device ---
  function snapshot() {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.type === "submit" || el.type === "button") return;
      if (!values[el.name]) values[el.name] = [];
      if (el.type === "radio" || el.type === "checkbox") {
        if (el.checked) values[el.name].push(el.value);
      } else {
        values[el.name].push(el.value);
      }
    });
    return values;
  }

  function saveDraft() {
    if (!store || !draftKey) return;
    try {
      store.setItem(draftKey, JSON.stringify({ savedAt: Date.now(), values: snapshot() }));
    } catch (e) {
      // Storage full or blocked: the server copy still saves on Next.
    }
  }

  function restoreDraft() {
    if (!store || !draftKey) return false;
    var draft;
    try {
      draft = JSON.parse(store.getItem(draftKey) || "null");
    } catch (e) {
      return false;
    }
    if (!draft || !draft.values) return false;
    var values = draft.values;
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || !Object.prototype.hasOwnProperty.call(values, el.name)) return;
      var wanted = values[el.name];
      if (el.type === "radio" || el.type === "checkbox") {
        el.checked = wanted.indexOf(el.value) !== -1;
      } else if (el.type !== "submit" && el.type !== "button") {
        el.value = wanted.length ? wanted[0] : "";
      }
    });
    return true;
  }

  form.addEventListener("input", saveDraft);
  form.addEventListener("change", function () {
    applyConditions();
    applyUrgentAdvice();
    saveDraft();
  });
  form.addEventListener("submit", function (event) {
    saveDraft();
    if (navigator.onLine === false) {
      event.preventDefault();
      say("You seem to be offline. Your answers are kept on this device: press the button again when you are back online.");
    }
  });

  var restored = restoreDraft();
  applyConditions();
  applyUrgentAdvice();
  renderMap();
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  } else if (restored) {
    say("We brought back what you typed earlier on this device. It is saved with us when you press the button below.");
  }
})();
