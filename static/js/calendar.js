// The staff calendar: appointment blocks, free times and "Book" open in the side panel without a page load;
// a click on the grid books at the clinician (or room, or day) and time under the pointer; the now-line.
(function () {
  var panel = document.getElementById("panel");

  function hhmm(minute) {
    return String(Math.floor(minute / 60)).padStart(2, "0") + ":" + String(minute % 60).padStart(2, "0");
  }

  function clock(minute) {
    var hour = Math.floor(minute / 60), mins = minute % 60;
    return ((hour % 12) || 12) + ":" + String(mins).padStart(2, "0") + " " + (hour < 12 ? "AM" : "PM");
  }

  // The free column under a point of the grid, and the step of time there: {col, minute} or null.
  function slotAt(grid, event) {
    var target = event.target.closest(".cal-col, .cal-work");
    if (!target || !grid.dataset.book) return null;
    var col = grid.querySelector('.cal-col[data-col="' + target.dataset.col + '"]');
    if (!col || !col.dataset.day) return null;
    var first = +grid.dataset.first, last = +grid.dataset.last, step = +grid.dataset.step;
    var box = col.getBoundingClientRect();
    var rowHeight = box.height / ((last - first) / step);
    var index = Math.floor((event.clientY - box.top) / rowHeight);
    var minute = first + Math.max(0, Math.min(index, (last - first) / step - 1)) * step;
    return { col: col, minute: minute };
  }

  function bookUrl(grid, slot) {
    var who = slot.col.dataset.who;
    return grid.dataset.book + "?" + (who ? who + "&" : "") + "start=" + slot.col.dataset.day + "T" + hhmm(slot.minute);
  }

  // Minutes since midnight now, on the clinic's clock (the browser may be in another time zone).
  function nowMinutes(timeZone) {
    var parts = new Intl.DateTimeFormat("en-US", { timeZone: timeZone, hour: "numeric", minute: "numeric", hourCycle: "h23" })
      .formatToParts(new Date());
    var get = function (type) { return +parts.find(function (p) { return p.type === type; }).value; };
    return get("hour") * 60 + get("minute");
  }

  function placeNowLines() {
    document.querySelectorAll(".cal-grid").forEach(function (grid) {
      var line = grid.querySelector(".cal-now");
      if (!line) return;
      var first = +grid.dataset.first, last = +grid.dataset.last, step = +grid.dataset.step;
      var minute = nowMinutes(grid.dataset.tz);
      line.hidden = minute < first || minute >= last;
      line.style.setProperty("--now-offset", "calc(var(--cal-row) * " + ((minute - first) / step) + ")");
    });
  }

  placeNowLines();
  setInterval(placeNowLines, 60 * 1000);
  document.body.addEventListener("htmx:afterSettle", placeNowLines);

  if (!panel || !window.htmx || !window.bootstrap) return;

  document.addEventListener("click", function (event) {
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    var link = event.target.closest("a[data-panel]");
    var grid = !link && event.target.closest(".cal-grid");
    var slot = grid && slotAt(grid, event);
    if (!link && !slot) return;
    event.preventDefault();
    htmx.ajax("GET", link ? link.href : bookUrl(grid, slot), { target: "#panel", swap: "innerHTML" });
  });

  // On hover, the step under the pointer shows what a click books.
  var hover = document.createElement("div");
  hover.className = "cal-hover";
  hover.setAttribute("aria-hidden", "true");
  document.addEventListener("mousemove", function (event) {
    var grid = event.target.closest(".cal-grid");
    var slot = grid && slotAt(grid, event);
    if (!slot) {
      hover.remove();
      return;
    }
    var first = +grid.dataset.first, step = +grid.dataset.step;
    hover.style.gridRow = String((slot.minute - first) / step + 2);
    hover.style.gridColumn = slot.col.dataset.col;
    hover.textContent = "+ Book " + clock(slot.minute);
    if (hover.parentNode !== grid) grid.appendChild(hover);
  });

  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target !== panel) return;
    bootstrap.Offcanvas.getOrCreateInstance(panel).show();
    var focus = panel.querySelector("[data-autofocus]") || panel.querySelector("#panel-title");
    if (focus) focus.focus({ preventScroll: true });
  });

  // Moving a visit: drag its block (mouse or pen), or focus it and press M, then the arrow keys and Enter.
  // Either way a dialog asks "Move X to 10:30 AM with Jordan Chen?" and the move goes through the panel's own
  // move view (the same service and refusals); a refusal puts the block back and the panel says why.
  var dialog = document.getElementById("move-confirm");
  var status = document.getElementById("move-status");
  var moving = null;  // {block, grid, original, target, ghost, mode: "drag" | "keys", ...} while a move is being chosen
  var pending = 0;  // moves sent and not answered yet
  var swallowClick = false;

  function say(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key] == null ? "" : values[key]; });
  }

  function announce(text) {
    if (status) status.textContent = text;
  }

  function movableBlock(el) {
    var block = el && el.closest && el.closest(".cal-appt");
    var grid = block && block.closest(".cal-grid[data-move]");
    if (!grid || !dialog) return null;
    var statuses = grid.dataset.movable.split(" ");
    return statuses.some(function (s) { return block.classList.contains("st-" + s); }) ? block : null;
  }

  function rowsOf(el) {  // [first row, rows spanned] from "grid-row: 5 / span 3"
    var start = parseInt(el.style.gridRowStart, 10), end = el.style.gridRowEnd || "";
    return [start, end.indexOf("span") === 0 ? parseInt(end.slice(4), 10) : (parseInt(end, 10) - start) || 1];
  }

  function dropColumns(grid) {
    return Array.prototype.slice.call(grid.querySelectorAll(".cal-col[data-drop-day]"));
  }

  function columnOf(grid, index) {
    return grid.querySelector('.cal-col[data-drop-day][data-col="' + index + '"]');
  }

  // The grid row a visit's top lands on, kept so that the whole visit stays on the grid.
  function clampRow(grid, row, span) {
    var rows = (+grid.dataset.last - +grid.dataset.first) / +grid.dataset.step;
    return Math.max(2, Math.min(row, rows + 2 - span));
  }

  function targetFor(state, col, row) {
    var grid = state.grid, step = +grid.dataset.step, first = +grid.dataset.first;
    if (state.hereOnly) col = state.homeCol;  // the room view moves a visit in time only
    row = clampRow(grid, row, state.span);
    var minute = first + (row - 2) * step;
    var outside = false;
    if (col.hasAttribute("data-drop-hours")) {
      outside = !Array.prototype.some.call(grid.querySelectorAll('.cal-work[data-col="' + col.dataset.col + '"]'),
        function (work) {
          var r = rowsOf(work);
          return r[0] <= row && row + state.span <= r[0] + r[1];
        });
    }
    return { col: col, row: row, minute: minute, outside: outside };
  }

  function sameAsNow(state, target) {
    return target.col === state.homeCol && target.row === state.original.row;
  }

  function describe(state, target) {
    var col = target.col, values = { name: state.name, time: clock(target.minute) };
    if (col.dataset.dropDate) {
      values.date = col.dataset.dropDate;
      return { question: say(dialog.dataset.qDate, values), when: values.date + " " + values.time };
    }
    if (col.dataset.dropWhere) {
      values.where = col.dataset.dropWhere;
      return { question: say(dialog.dataset.qWhere, values), when: values.time + " " + values.where };
    }
    return { question: say(dialog.dataset.qTime, values), when: values.time };
  }

  function placeGhost(state, target) {
    state.target = target;
    state.ghost.style.gridRow = target.row + " / span " + state.span;
    state.ghost.style.gridColumn = target.col.dataset.col;
    state.ghost.classList.toggle("is-outside", target.outside);
    state.ghost.textContent = describe(state, target).when;
  }

  function begin(block, mode) {
    var grid = block.closest(".cal-grid");
    var rows = rowsOf(block);
    var home = columnOf(grid, parseInt(block.style.gridColumnStart, 10));
    if (!home) return null;
    var ghost = document.createElement("div");
    ghost.className = "cal-ghost";
    ghost.setAttribute("aria-hidden", "true");
    grid.appendChild(ghost);
    var name = block.querySelector(".n");
    moving = {
      block: block, grid: grid, mode: mode, ghost: ghost, homeCol: home, span: rows[1],
      hereOnly: home.hasAttribute("data-drop-here-only"),
      name: name ? name.textContent.trim() : "",
      original: { row: rows[0], style: block.getAttribute("style") },
    };
    block.classList.add("is-moving");
    placeGhost(moving, targetFor(moving, home, rows[0]));
    return moving;
  }

  function end() {
    if (!moving) return;
    moving.ghost.remove();
    moving.block.classList.remove("is-moving");
    moving = null;
  }

  function putBack(block, original, text) {
    block.setAttribute("style", original.style);
    block.classList.remove("is-pending");
    if (text) announce(text);
  }

  function confirmMove(state) {
    var target = state.target;
    if (sameAsNow(state, target)) {  // dropped where it was: nothing to ask
      end();
      return;
    }
    var text = describe(state, target);
    dialog.querySelector("#move-confirm-q").textContent = text.question;
    dialog.querySelector("#move-confirm-note").hidden = !target.outside;
    dialog.returnValue = "";
    dialog.onclose = function () {
      var block = state.block, original = state.original, focusBack = state.mode === "keys";
      end();
      if (dialog.returnValue === "move") {
        send(block, original, target);
      } else {
        announce(say(dialog.dataset.kept, { name: state.name }));
      }
      if (focusBack && document.body.contains(block)) block.focus();
    };
    dialog.showModal();
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function showPanel(html, pk) {
    panel.innerHTML = html;
    panel.dispatchEvent(new CustomEvent("stride:panel-visit", { detail: pk || null }));
    htmx.process(panel);
    bootstrap.Offcanvas.getOrCreateInstance(panel).show();
    var focus = panel.querySelector("#panel-title");
    if (focus) focus.focus({ preventScroll: true });
  }

  function send(block, original, target) {
    var grid = block.closest(".cal-grid");
    var pk = block.id.replace("appt-", "");
    var form = new URLSearchParams({ date: target.col.dataset.dropDay, time: hhmm(target.minute) });
    if (target.col.dataset.dropClinician) form.set("clinician", target.col.dataset.dropClinician);
    // Shown at once where it was dropped; put back if the move is refused.
    block.style.gridRowStart = String(target.row);
    block.style.gridColumn = target.col.dataset.col;
    block.classList.add("is-pending");
    pending += 1;
    fetch(grid.dataset.move.replace(/0\/move\/$/, pk + "/move/"), {
      method: "POST", body: form, credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
    }).then(function (response) {
      return response.text().then(function (html) {
        var moved = response.ok && (response.headers.get("HX-Trigger") || "").indexOf("calendar-changed") >= 0;
        if (response.redirected) {  // signed out meanwhile: the answer is the sign-in page
          putBack(block, original, dialog.dataset.signedOut);
          return;
        }
        showPanel(response.ok ? html : errorPanel(response.status), response.ok ? pk : null);
        if (moved) {
          block.classList.remove("is-pending");
          htmx.trigger(document.body, "calendar-changed");
        } else {
          putBack(block, original, say(dialog.dataset.refused, { name: block.querySelector(".n") ? block.querySelector(".n").textContent.trim() : "" }));
        }
      });
    }).catch(function () {
      putBack(block, original, errorText(0));
    }).finally(function () {
      pending -= 1;
    });
  }

  // Dragging with a mouse or pen (touch keeps scrolling the grid; the panel's Move form works there).
  var press = null;
  document.addEventListener("pointerdown", function (event) {
    if (event.button !== 0 || event.pointerType === "touch" || moving || pending) return;
    var block = movableBlock(event.target);
    if (!block) return;
    var box = block.getBoundingClientRect();
    press = { block: block, x: event.clientX, y: event.clientY, grab: event.clientY - box.top };
  });

  document.addEventListener("dragstart", function (event) {  // a link's own drag (its address) is not a move
    if (movableBlock(event.target)) event.preventDefault();
  });

  document.addEventListener("pointermove", function (event) {
    if (!press) return;
    if (!moving) {
      if (Math.abs(event.clientX - press.x) + Math.abs(event.clientY - press.y) < 6) return;  // still a click
      if (!begin(press.block, "drag")) {
        press = null;
        return;
      }
    }
    event.preventDefault();
    var grid = moving.grid, x = event.clientX;
    var col = dropColumns(grid).filter(function (c) {
      var box = c.getBoundingClientRect();
      return box.left <= x && x < box.right;
    })[0] || moving.target.col;
    var box = col.getBoundingClientRect();
    var rowHeight = box.height / ((+grid.dataset.last - +grid.dataset.first) / +grid.dataset.step);
    var row = Math.round((event.clientY - press.grab - box.top) / rowHeight) + 2;
    placeGhost(moving, targetFor(moving, col, row));
  });

  document.addEventListener("pointerup", function () {
    if (!press) return;
    press = null;
    if (moving && moving.mode === "drag") {
      swallowClick = true;  // the click that ends a drag does not open the panel
      setTimeout(function () { swallowClick = false; }, 0);
      confirmMove(moving);
    }
  });

  document.addEventListener("pointercancel", function () {
    press = null;
    if (moving && moving.mode === "drag") end();
  });

  document.addEventListener("click", function (event) {
    if (swallowClick) {
      event.preventDefault();
      event.stopImmediatePropagation();
      swallowClick = false;
    }
  }, true);

  // By keyboard: M on a focused visit, then arrows (15 minutes up and down, a column left and right).
  document.addEventListener("keydown", function (event) {
    if (dialog && dialog.open) return;  // the question has the keyboard now
    if (moving && moving.mode === "keys") {
      var state = moving, target = state.target;
      var cols = dropColumns(state.grid), at = cols.indexOf(target.col);
      var next = null;
      if (event.key === "ArrowUp") next = targetFor(state, target.col, target.row - 1);
      else if (event.key === "ArrowDown") next = targetFor(state, target.col, target.row + 1);
      else if (event.key === "ArrowLeft" && at > 0) next = targetFor(state, cols[at - 1], target.row);
      else if (event.key === "ArrowRight" && at < cols.length - 1) next = targetFor(state, cols[at + 1], target.row);
      else if (event.key === "Enter") {
        event.preventDefault();
        if (sameAsNow(state, target)) {
          end();
          announce(say(dialog.dataset.kept, { name: state.name }));
        } else {
          confirmMove(state);
        }
        return;
      } else if (event.key === "Escape" || event.key === "Tab") {  // Tab leaves the visit, and the move with it
        if (event.key === "Escape") event.preventDefault();
        end();
        announce(say(dialog.dataset.kept, { name: state.name }));
        return;
      } else {
        return;
      }
      event.preventDefault();
      if (next) {
        placeGhost(state, next);
        state.ghost.scrollIntoView({ block: "nearest", inline: "nearest" });
        announce(describe(state, next).when);
      }
      return;
    }
    if ((event.key === "m" || event.key === "M") && !event.ctrlKey && !event.metaKey && !event.altKey && !pending) {
      var block = movableBlock(document.activeElement);
      if (!block || moving) return;
      event.preventDefault();
      var started = begin(block, "keys");
      if (started) announce(say(dialog.dataset.moving, { name: started.name, when: describe(started, started.target).when }));
    }
  });

  // Whether the person is in the middle of something on the grid (a drag, a move being chosen or sent).
  window.strideCalendar = {
    moving: function () { return !!(moving || press || pending || (dialog && dialog.open)); },
  };

  // Keeping the calendar current: every few seconds (while the tab is shown) the page asks for the version of the
  // calendar it shows, and redraws the grid when it changed: a booking made online, a visit a colleague cancelled.
  // Nothing the person is doing is lost: not while they drag or move a visit, type in a field of the calendar's
  // own forms (typed values and the open free-times list survive a redraw), nor the grid's scroll or the focused
  // visit; the side panel is outside what is redrawn, and says so when its visit changed under it.
  var changed = false, polling = false, redrawing = false, background = false, openVisit = null;

  function calendarBody() {
    return document.getElementById("calendar-body");
  }

  function typingInBody() {
    var body = calendarBody(), active = document.activeElement;
    return !!(body && active && body.contains(active) && active.matches("input, select, textarea"));
  }

  function busy() {
    return window.strideCalendar.moving() || typingInBody() || redrawing;
  }

  function redrawIfChanged() {
    if (!changed || busy()) return;
    changed = false;
    redrawing = true;
    background = true;
    setTimeout(function () { redrawing = false; }, 15000);  // a redraw that never answered does not stop the next
    htmx.trigger(document.body, "calendar-changed");
  }

  function poll() {
    var body = calendarBody();
    if (!body || !body.dataset.versionUrl || polling || document.visibilityState !== "visible") return;
    polling = true;
    fetch(body.dataset.versionUrl, {
      credentials: "same-origin",
      headers: { "HX-Request": "true", "HX-Current-URL": window.location.href, "Accept": "application/json" },
    }).then(function (response) {
      var signIn = response.headers.get("HX-Redirect");
      if (response.status === 401 && signIn) {  // the session ended: no patient names left on an idle screen
        window.location.assign(signIn);
        return null;
      }
      return response.ok ? response.json() : null;
    }).then(function (answer) {
      var now = calendarBody();
      if (answer && now && answer.version !== now.dataset.version) changed = true;
      redrawIfChanged();
    }).catch(function () {
      // offline for a moment: ask again next time
    }).finally(function () {
      polling = false;
    });
  }

  var seconds = calendarBody() ? +(calendarBody().dataset.pollSeconds || 5) : 0;
  if (seconds > 0) {
    setInterval(function () {
      if (changed) redrawIfChanged();
      else poll();
    }, seconds * 1000);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") poll();
    });
    document.addEventListener("focusout", function () { setTimeout(redrawIfChanged, 0); });
  }

  document.body.addEventListener("htmx:configRequest", function (event) {
    if (background && event.detail.elt && event.detail.elt.id === "calendar-body") {
      event.detail.headers["X-Stride-Background"] = "1";  // not the person's activity (clinic.sessions)
      background = false;
    }
  });

  // What a redraw keeps: the grid's scroll, the focused visit, the free-times list open, typed values.
  var kept = null;
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target.id !== "calendar-body") return;
    var body = event.detail.target, scroller = body.querySelector(".cal-scroll");
    var active = document.activeElement;
    kept = {
      top: scroller ? scroller.scrollTop : 0, left: scroller ? scroller.scrollLeft : 0,
      focus: active && body.contains(active) && active.id ? active.id : null,
      free: !!body.querySelector("details.cal-free-list[open]"),
      values: Array.prototype.filter.call(body.querySelectorAll("input[id], select[id], textarea[id]"), function (el) {
        if (el.type === "hidden") return false;
        if (el.type === "checkbox" || el.type === "radio") return el.checked !== el.defaultChecked;
        if (el.tagName === "SELECT") return Array.prototype.some.call(el.options, function (o) { return o.selected !== o.defaultSelected; });
        return el.value !== el.defaultValue;
      }).map(function (el) { return [el.id, el.type === "checkbox" || el.type === "radio" ? el.checked : el.value]; }),
      // Only a redraw the page made by itself can change the panel's visit behind the person's back.
      titles: openVisit && redrawing ? titleOf(body, openVisit) : null,
    };
  });

  function titleOf(root, pk) {
    var block = root.querySelector("#appt-" + pk);
    return block ? block.getAttribute("title") : "";
  }

  document.body.addEventListener("htmx:afterSwap", function (event) {
    var body = calendarBody();
    if (!kept || !body || event.detail.target.id !== "calendar-body") return;
    var was = kept;
    kept = null;
    redrawing = false;
    var scroller = body.querySelector(".cal-scroll");
    if (scroller) {
      scroller.scrollTop = was.top;
      scroller.scrollLeft = was.left;
    }
    if (was.free) {
      var details = body.querySelector("details.cal-free-list");
      if (details) details.open = true;
    }
    was.values.forEach(function (pair) {
      var el = document.getElementById(pair[0]);
      if (!el || !body.contains(el)) return;
      if (el.type === "checkbox" || el.type === "radio") el.checked = pair[1];
      else el.value = pair[1];
    });
    if (was.focus && document.getElementById(was.focus)) document.getElementById(was.focus).focus({ preventScroll: true });
    if (openVisit && was.titles !== null && titleOf(body, openVisit) !== was.titles) staleNotice();
  });

  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.elt && event.detail.elt.id === "calendar-body" && !event.detail.successful) redrawing = false;
  });

  // The side panel never covers a column: while it is open the page makes room for it (the grid narrows, and
  // scrolls sideways when its columns need more room).
  panel.addEventListener("show.bs.offcanvas", function () { document.body.classList.add("cal-panel-open"); });
  panel.addEventListener("hidden.bs.offcanvas", function () {
    document.body.classList.remove("cal-panel-open");
    openVisit = null;
  });

  // Which visit the panel shows, so a redraw can tell when that visit changed under it (cancelled by a colleague).
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target !== panel) return;
    var path = (event.detail.pathInfo && event.detail.pathInfo.requestPath) || "";
    var match = path.match(/\/appointments\/(\d+)\//);
    openVisit = match ? match[1] : null;
  });

  panel.addEventListener("stride:panel-visit", function (event) { openVisit = event.detail; });

  function staleNotice() {
    var body = panel.querySelector(".offcanvas-body");
    if (!body || body.querySelector("[data-stale]")) return;
    var note = document.createElement("div");
    note.className = "alert alert-warning py-2 d-flex flex-wrap align-items-center gap-2";
    note.setAttribute("role", "status");
    note.setAttribute("data-stale", "");
    var words = document.createElement("span");
    words.textContent = panel.dataset.staleText || "This visit changed since you opened it.";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-sm btn-outline-secondary";
    button.textContent = panel.dataset.staleButton || "Show it as it is now";
    var url = panel.dataset.appointmentUrl + openVisit + "/";
    button.addEventListener("click", function () { htmx.ajax("GET", url, { target: "#panel", swap: "innerHTML" }); });
    note.appendChild(words);
    note.appendChild(button);
    body.insertBefore(note, body.firstChild);
  }

  function errorText(status) {
    return status === 403 ? "You do not have permission for this action." :
      "Something went wrong (" + status + "). Reload the page and try again.";
  }

  function errorPanel(status) {
    return '<div class="offcanvas-header"><h2 class="offcanvas-title h5" id="panel-title" tabindex="-1">Could not do that</h2>' +
      '<button type="button" class="btn-close" data-bs-dismiss="offcanvas" aria-label="Close"></button></div>' +
      '<div class="offcanvas-body"><div class="alert alert-danger" role="alert">' + errorText(status) + "</div></div>";
  }

  document.body.addEventListener("htmx:responseError", function (event) {
    panel.innerHTML = errorPanel(event.detail.xhr.status);
    bootstrap.Offcanvas.getOrCreateInstance(panel).show();
  });
})();
