// The staff calendar: appointment blocks, free cells and "Book" open in the side panel without a page load.
(function () {
  var panel = document.getElementById("panel");
  if (!panel || !window.htmx || !window.bootstrap) return;

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-panel]");
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    htmx.ajax("GET", link.href, { target: "#panel", swap: "innerHTML" });
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
