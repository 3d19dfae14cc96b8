// "/" focuses the patient search from anywhere, unless the user is typing in a field.
document.addEventListener("keydown", function (event) {
  if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
  var tag = (event.target.tagName || "").toLowerCase();
  if (tag === "input" || tag === "textarea" || tag === "select" || event.target.isContentEditable) return;
  var search = document.getElementById("global-search");
  if (search) { event.preventDefault(); search.focus(); }
});
// Toasts fade on their own after a few seconds.
window.addEventListener("load", function () {
  document.querySelectorAll(".toast.show").forEach(function (el) {
    setTimeout(function () { el.classList.remove("show"); }, 6000);
  });
});
// Behaviours declared in the markup: the Content-Security-Policy allows no inline script or on* handlers.
// Delegated from the document, so content htmx swaps in behaves the same.
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el.matches && el.matches("[data-autosubmit]") && el.form) el.form.requestSubmit();
});
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.matches && form.matches("form[data-confirm]") && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);
document.addEventListener("focusin", function (event) {
  if (event.target.matches && event.target.matches("[data-select-on-focus]")) event.target.select();
});
document.addEventListener("keydown", function (event) {
  if (event.key === "Enter" && event.target.matches && event.target.matches("[data-enter-stays]")) {
    event.preventDefault();  // Enter searches now (hx-trigger "enter") instead of submitting the form
    event.target.dispatchEvent(new Event("enter", { bubbles: true }));
  }
});
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-print]");
  if (button) window.print();
});
