// The patient's intake form: questions that appear when they apply, the body map (choose a kind, tap), the
// drawn signature, and a draft of the current step in localStorage so nothing typed is lost to a closed tab or a dropped
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

  // --- Body map: choose a kind on the toolbar, then tap regions; a tap adds or takes off that kind. The tick
  // boxes of the list (the page without JavaScript) hold the marks, so both post the same data. ---
  var KINDS = ["pain", "tingling", "numbness"];
  var WORDS = { pain: "pain", tingling: "tingling", numbness: "numbness" };
  var LETTERS = { pain: "P", tingling: "T", numbness: "N" };
  var mapList = form.querySelector("[data-body-map-list]");
  if (mapList) mapList.open = false;  // the drawing is there; the list stays one tap away

  function chosenKind() {
    var pressed = form.querySelector('[data-map-kind][aria-pressed="true"]');
    return pressed ? pressed.getAttribute("data-map-kind") : "pain";
  }

  function mapTick(region, kind) {
    return inputs("map_" + region).filter(function (el) { return el.value === kind; })[0];
  }

  function kindsOf(region) {
    return KINDS.filter(function (kind) {
      var box = mapTick(region, kind);
      return box && box.checked;
    });
  }

  function inWords(kinds) {
    return kinds.length ? kinds.map(function (k) { return WORDS[k]; }).join(", ") : "no symptoms";
  }

  function renderMap() {
    var marked = [];
    form.querySelectorAll("[data-region]").forEach(function (button) {
      var kinds = kindsOf(button.getAttribute("data-region"));
      var label = button.getAttribute("data-label");
      button.setAttribute("aria-label", label + ": " + inWords(kinds));
      button.toggleAttribute("data-marked", kinds.length > 0);
      var marks = button.querySelector(".body-region-marks");
      marks.textContent = "";
      kinds.forEach(function (kind) {
        var chip = document.createElement("span");
        chip.className = "body-chip";
        chip.setAttribute("data-kind", kind);
        chip.textContent = LETTERS[kind];
        marks.appendChild(chip);
      });
      if (kinds.length) marked.push(label + " (" + inWords(kinds) + ")");
    });
    var summary = form.querySelector("[data-map-summary]");
    if (summary) summary.textContent = marked.length ? "You marked: " + marked.join(", ") + "." : "Nothing marked yet.";
  }

  // The region's name shows over it on touch, hover or focus: a finger covers the place it taps.
  function showName(button) {
    var figure = button.closest("[data-body-figure]");
    var bubble = figure && figure.querySelector("[data-region-name]");
    if (!bubble) return;
    form.querySelectorAll("[data-region-name]").forEach(function (other) { if (other !== bubble) other.hidden = true; });
    var kinds = kindsOf(button.getAttribute("data-region"));
    bubble.textContent = button.getAttribute("data-label") + (kinds.length ? ": " + inWords(kinds) : "");
    bubble.hidden = false;
    var half = bubble.offsetWidth / 2, width = figure.clientWidth;
    var centre = button.offsetLeft + button.offsetWidth / 2;
    bubble.style.left = Math.max(half, Math.min(width - half, centre)) + "px";
    var below = button.offsetTop < bubble.offsetHeight + 6;  // no room above: under the region
    bubble.style.top = (below ? button.offsetTop + button.offsetHeight + 4 : button.offsetTop - bubble.offsetHeight - 4) + "px";
  }

  function hideNames() {
    form.querySelectorAll("[data-region-name]").forEach(function (bubble) { bubble.hidden = true; });
  }

  form.addEventListener("click", function (event) {
    var tool = event.target.closest("[data-map-kind]");
    if (tool) {
      form.querySelectorAll("[data-map-kind]").forEach(function (other) {
        other.setAttribute("aria-pressed", other === tool ? "true" : "false");
      });
      return;
    }
    var button = event.target.closest("[data-region]");
    if (!button) return;
    var region = button.getAttribute("data-region"), kind = chosenKind();
    var box = mapTick(region, kind);
    if (!box) return;
    box.checked = !box.checked;
    renderMap();
    showName(button);
    var now = form.querySelector("[data-map-now]");
    if (now) now.textContent = button.getAttribute("data-label") + ": " + WORDS[kind] + (box.checked ? " marked." : " taken off.");
    saveDraft();
  });
  form.addEventListener("pointerdown", function (event) {
    var button = event.target.closest("[data-region]");
    if (button) showName(button);
  });
  form.addEventListener("pointerover", function (event) {
    var button = event.target.closest("[data-region]");
    if (button && event.pointerType === "mouse") showName(button);
  });
  form.addEventListener("pointerout", function (event) {
    var button = event.target.closest("[data-region]");
    if (!button || event.pointerType !== "mouse" || button.contains(event.relatedTarget)) return;
    var focused = document.activeElement && document.activeElement.closest && document.activeElement.closest("[data-region]");
    if (focused) showName(focused); else hideNames();
  });
  form.addEventListener("focusin", function (event) {
    var button = event.target.closest("[data-region]");
    if (button) showName(button);
  });
  form.addEventListener("focusout", function (event) {
    var next = event.relatedTarget;
    if (event.target.closest("[data-region]") && !(next && next.closest && next.closest("[data-region]"))) hideNames();
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
    renderMap();
    saveDraft();
  });
  form.addEventListener("submit", function (event) {
    saveDraft();
    if (navigator.onLine === false) {
      event.preventDefault();
      say("You seem to be offline. Your answers are kept on this device: press the button again when you are back online.");
    }
  });

  // --- Drawn signature: pointer events on a canvas (finger, pen or mouse); the PNG goes in the hidden field. ---
  function signaturePad(pad) {
    var canvas = pad.querySelector("[data-signature-canvas]");
    var wrap = pad.closest("[data-show-if]") || pad.parentNode;
    var field = wrap.querySelector('input[name="signature_drawing"]');
    var state = wrap.querySelector("[data-signature-state]");
    var ctx = canvas.getContext("2d");
    var last = null, scale = 1;

    function tell(message) { if (state) state.textContent = message; }

    function size() {
      // Drawn at the screen's density (at most 2x, so the PNG stays small), redrawn from the field when resized.
      scale = Math.min(window.devicePixelRatio || 1, 2);
      var width = Math.round(canvas.clientWidth * scale), height = Math.round(canvas.clientHeight * scale);
      if (!width || (canvas.width === width && canvas.height === height)) return;
      canvas.width = width;
      canvas.height = height;
      redraw();
    }

    function redraw() {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      if (!field.value) return;
      var image = new Image();
      image.onload = function () { ctx.drawImage(image, 0, 0, canvas.width, canvas.height); };
      image.src = field.value;
    }

    function at(event) {
      var box = canvas.getBoundingClientRect();
      return { x: (event.clientX - box.left) * scale, y: (event.clientY - box.top) * scale };
    }

    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      last = at(event);
      ctx.lineWidth = 2.6 * scale;
      ctx.lineCap = ctx.lineJoin = "round";
      ctx.strokeStyle = "#111c3a";
      ctx.beginPath();
      ctx.arc(last.x, last.y, ctx.lineWidth / 2, 0, 2 * Math.PI);
      ctx.fillStyle = ctx.strokeStyle;
      ctx.fill();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!last) return;
      var point = at(event);
      ctx.beginPath();
      ctx.moveTo(last.x, last.y);
      ctx.lineTo(point.x, point.y);
      ctx.stroke();
      last = point;
    });
    function finish() {
      if (!last) return;
      last = null;
      field.value = canvas.toDataURL("image/png");
      tell("Signature drawn.");
      saveDraft();
    }
    canvas.addEventListener("pointerup", finish);
    canvas.addEventListener("pointercancel", finish);
    pad.parentNode.querySelector("[data-signature-clear]").addEventListener("click", function () {
      field.value = "";
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      tell("The box is empty.");
      saveDraft();
    });
    window.addEventListener("resize", size);
    form.addEventListener("change", size);  // shown once "Draw my signature" is chosen: measure it then
    size();
  }

  var restored = restoreDraft();
  applyConditions();
  applyUrgentAdvice();
  renderMap();
  form.querySelectorAll("[data-signature-pad]").forEach(signaturePad);
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  } else if (restored) {
    say("We brought back what you typed earlier on this device. It is saved with us when you press the button below.");
  }
})();
