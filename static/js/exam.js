// The clinician's exam: each section autosaves as it is typed, shows "Saved" with the time, and puts
// the server's flags (limited range, outside the reference, symmetry) beside the values. The server
// computes every flag and suggestion; this file only sends the section and places what comes back.
(function () {
  "use strict";
  var TYPE_DELAY = 600, PICK_DELAY = 120, RETRY = 5000;
  var forms = Array.prototype.slice.call(document.querySelectorAll("form[data-autosave]"));
  // The bar's saved state: its words come from the page (translated there), "Saved {time}" and the rest.
  var globalState = document.getElementById("save-state");
  var retry = document.querySelector("[data-save-retry]");
  var words = globalState ? globalState.dataset : {};
  var state = new Map();

  forms.forEach(function (form) {
    state.set(form, { timer: null, saving: false, again: false, dirty: false, error: false });
    form.addEventListener("input", function (event) {
      var picked = /^(checkbox|radio)$/.test(event.target.type || "") || event.target.tagName === "SELECT";
      schedule(form, picked ? PICK_DELAY : TYPE_DELAY);
    });
    form.addEventListener("change", function () { schedule(form, PICK_DELAY); });
    form.addEventListener("submit", function (event) { event.preventDefault(); schedule(form, 0); });
  });

  function sectionState(form, text, kind) {
    var el = document.querySelector('[data-state-for="' + form.dataset.autosave + '"]');
    if (el) { el.textContent = text; el.dataset.kind = kind || ""; }
  }

  // Not saved (with a link to each section that failed, and Retry), else Saving… while a save is in flight,
  // else Unsaved changes while typing has not been sent yet, else Saved and the time of the last save.
  var lastSaved = null;

  function updateGlobal() {
    if (!globalState) return;
    var saving = false, unsaved = false, failed = [];
    state.forEach(function (s, form) {
      saving = saving || s.saving;
      unsaved = unsaved || s.dirty;
      if (s.error) failed.push(form.dataset.autosave);
    });
    if (failed.length) {
      globalState.textContent = words.textFailed + " ";
      failed.forEach(function (sid, i) {
        var heading = document.getElementById(sid + "-h");
        var link = document.createElement("a");
        link.href = "#" + sid;
        link.textContent = heading ? heading.textContent : sid;
        if (i) globalState.append(", ");
        globalState.append(link);
      });
    } else if (saving || unsaved) {
      globalState.textContent = saving ? words.textSaving : words.textUnsaved;
    } else if (lastSaved) {
      globalState.textContent = words.textSaved.replace("{time}", lastSaved);
    }
    globalState.dataset.kind = failed.length ? "error" : saving || unsaved ? "busy" : "ok";
    if (retry) retry.hidden = !failed.length;
  }

  if (retry) {
    retry.addEventListener("click", function () {
      state.forEach(function (s, form) {
        if (s.error) { clearTimeout(s.timer); s.dirty = true; save(form); }
      });
      updateGlobal();
    });
  }

  function schedule(form, delay) {
    var s = state.get(form);
    s.dirty = true;
    sectionState(form, words.textUnsaved || "Unsaved changes", "busy");
    updateGlobal();
    clearTimeout(s.timer);
    s.timer = setTimeout(function () { save(form); }, delay);
  }

  function showErrors(form, errors) {
    form.querySelectorAll("[data-error-for]").forEach(function (el) {
      var messages = errors[el.dataset.errorFor];
      el.textContent = messages ? messages.join(" ") : "";
      var input = form.querySelector('[name="' + el.dataset.errorFor + '"]');
      if (input) {
        input.classList.toggle("is-invalid", !!messages);
        if (messages) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
      }
    });
  }

  function place(data) {
    Object.keys(data.flags || {}).forEach(function (key) {
      var slot = document.querySelector('[data-flag-for="' + key + '"]');
      if (slot) slot.innerHTML = data.flags[key];
    });
    Object.keys(data.fragments || {}).forEach(function (key) {
      var slot = document.querySelector('[data-fragment="' + key + '"]');
      if (slot) slot.innerHTML = data.fragments[key];
    });
    Object.keys(data.values || {}).forEach(function (name) {
      var input = document.querySelector('[name="' + name + '"]');
      if (input) input.value = data.values[name];
    });
  }

  function lock(message) {
    forms.forEach(function (form) {
      form.querySelectorAll("input, select, textarea, button").forEach(function (el) { el.disabled = true; });
    });
    var banner = document.createElement("div");
    banner.className = "alert alert-warning";
    banner.setAttribute("role", "alert");
    banner.textContent = message;
    document.querySelector(".exam-body").prepend(banner);
  }

  // One save at a time for the whole page, in order: two sections never race to write the same exam.
  var queue = Promise.resolve();

  function save(form) {
    var s = state.get(form);
    if (s.saving) { s.again = true; return; }
    s.saving = true;
    queue = queue.then(function () { return send(form, s); });
  }

  function send(form, s) {
    s.dirty = false;
    sectionState(form, words.textSaving || "Saving…", "busy");
    updateGlobal();
    return fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", Accept: "application/json" },
    }).then(function (response) {
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    }).then(function (result) {
      var data = result.data;
      if (result.status === 200 && data.saved) {
        s.error = false;
        showErrors(form, {});
        place(data);
        var revision = form.querySelector('[name="revision"]');
        if (revision && data.revision !== undefined) revision.value = data.revision;
        lastSaved = data.saved_at;
        sectionState(form, (words.textSaved || "Saved {time}").replace("{time}", data.saved_at), "ok");
      } else if (result.status === 409 && data.conflict) {
        s.error = true;
        sectionState(form, data.message, "error");
      } else if (result.status === 409) {
        s.error = false;
        sectionState(form, "Not saved: the exam is signed", "error");
        lock(data.message);
      } else {
        s.error = true;
        showErrors(form, data.errors || {});
        sectionState(form, data.message || "Not saved", "error");
      }
    }).catch(function () {
      s.error = true;
      s.dirty = true;
      sectionState(form, "Not saved: no connection or signed out. Retrying…", "error");
      clearTimeout(s.timer);
      s.timer = setTimeout(function () { save(form); }, RETRY);
    }).then(function () {
      s.saving = false;
      if (s.again) { s.again = false; save(form); }
      updateGlobal();
    });
  }

  function settled() {
    // Resolve once no section has unsent changes or a save in flight.
    return new Promise(function (resolve) {
      (function wait() {
        var busy = false;
        state.forEach(function (s, form) {
          if (s.dirty && !s.saving && !s.error) { clearTimeout(s.timer); save(form); }
          busy = busy || s.saving || (s.dirty && !s.error);
        });
        if (busy) setTimeout(wait, 100); else resolve();
      })();
    });
  }

  var signForm = document.querySelector("form[data-sign-form]");
  if (signForm) {
    signForm.addEventListener("submit", function (event) {
      event.preventDefault();
      settled().then(function () {
        var failed = false;
        state.forEach(function (s) { failed = failed || s.error; });
        if (failed) {
          window.alert("Some sections are not saved. Fix the marked fields before signing.");
          return;
        }
        if (window.confirm("Sign and lock this exam? It cannot be edited afterwards; corrections become addenda.")) {
          signForm.submit();
        }
      });
    });
  }

  window.addEventListener("beforeunload", function (event) {
    var pending = false;
    state.forEach(function (s) { pending = pending || s.dirty || s.saving; });
    if (pending) { event.preventDefault(); event.returnValue = ""; }
  });

  // A formset's new row: the template with the next index, appended, and the form count raised to match.
  function addFormsetRow(rows, template, total) {
    var index = parseInt(total.value, 10);
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
    var row = holder.firstElementChild;
    rows.appendChild(row);
    total.value = String(index + 1);
    return row;
  }

  // Ultrasound: add a finding row from the template; clear one (then it is dropped on save).
  var rows = document.querySelector("[data-us-rows]");
  var template = document.querySelector("template[data-us-template]");
  var addButton = document.querySelector("[data-us-add]");
  if (rows && template && addButton) {
    var total = document.querySelector('input[name="us-TOTAL_FORMS"]');
    addButton.addEventListener("click", function () {
      var row = addFormsetRow(rows, template, total);
      var first = row.querySelector("select, input:not([type=hidden]), textarea");
      if (first) first.focus();
    });
    rows.addEventListener("click", function (event) {
      if (!event.target.matches("[data-us-clear]")) return;
      var row = event.target.closest("[data-us-row]");
      row.querySelectorAll("select, textarea, input:not([type=hidden])").forEach(function (el) { el.value = ""; });
      schedule(row.closest("form"), PICK_DELAY);
    });
  }

  // Working diagnoses: add a row from the template, remove one (it is dropped on save). The code is typed only for
  // the diagnoses without a table code (Trauma, Other); for the others the server fills it in from the side.
  var dxRows = document.querySelector("[data-dx-rows]");
  var dxTemplate = document.querySelector("template[data-dx-template]");
  var dxAdd = document.querySelector("[data-dx-add]");
  if (dxRows && dxTemplate && dxAdd) {
    var dxForm = dxRows.closest("form");
    var free = (dxForm.dataset.dxFree || "").split(" ");
    var dxTotal = dxForm.querySelector('input[name="dx-TOTAL_FORMS"]');
    var codeTyped = function (row) {
      var select = row.querySelector("[data-dx-diagnosis]");
      var code = row.querySelector("[data-dx-code]");
      if (!select || !code) return;
      code.readOnly = free.indexOf(select.value) < 0;
      code.setAttribute("aria-readonly", code.readOnly ? "true" : "false");
    };
    dxRows.querySelectorAll("[data-dx-row]").forEach(codeTyped);
    dxRows.addEventListener("change", function (event) {
      if (event.target.matches("[data-dx-diagnosis]")) codeTyped(event.target.closest("[data-dx-row]"));
    });
    dxAdd.addEventListener("click", function () {
      var row = addFormsetRow(dxRows, dxTemplate, dxTotal);
      codeTyped(row);
      row.querySelector("select").focus();
    });
    dxRows.addEventListener("click", function (event) {
      if (!event.target.matches("[data-dx-clear]")) return;
      var row = event.target.closest("[data-dx-row]");
      row.querySelectorAll("select, input[type=text], input:not([type])").forEach(function (el) { el.value = ""; });
      row.querySelectorAll("input[type=checkbox]").forEach(function (el) { el.checked = false; });
      codeTyped(row);
      schedule(dxForm, PICK_DELAY);
    });
  }
})();
