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
