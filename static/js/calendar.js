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

  document.body.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    panel.innerHTML = '<div class="offcanvas-header"><h2 class="offcanvas-title h5" id="panel-title" tabindex="-1">Could not do that</h2>' +
      '<button type="button" class="btn-close" data-bs-dismiss="offcanvas" aria-label="Close"></button></div>' +
      '<div class="offcanvas-body"><div class="alert alert-danger" role="alert">' +
      (status === 403 ? "You do not have permission for this action." : "Something went wrong (" + status + "). Reload the page and try again.") +
      "</div></div>";
    bootstrap.Offcanvas.getOrCreateInstance(panel).show();
  });
})();
