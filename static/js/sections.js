// A page read in sections (templates/clinic/_section_index.html): mark the section in view as current in the
// index, and keep the sticky offsets right. The index is plain anchor links, so without this file it still
// takes the reader to each section; this only adds the "you are here".
(function () {
  "use strict";
  var index = document.querySelector("[data-section-index]");
  if (!index) return;
  var root = document.documentElement;
  var bar = document.querySelector("[data-sticky-bar]");
  var list = index.querySelector("ul");
  var links = Array.prototype.slice.call(index.querySelectorAll("a[href^='#']"));
  var targets = links.map(function (link) { return document.getElementById(link.hash.slice(1)); });
  var current = null, pinned = false, pinTimer = null, observer = null;

  // What covers the top of the viewport: the sticky bar, and the index itself while it is a strip on top.
  function covered() {
    var strip = getComputedStyle(list).flexDirection === "row";
    return (bar ? bar.offsetHeight : 0) + (strip ? index.offsetHeight : 0);
  }

  function measure() {
    root.style.setProperty("--sticky-top", (bar ? bar.offsetHeight : 0) + "px");
    var strip = getComputedStyle(list).flexDirection === "row";
    root.style.setProperty("--index-h", (strip ? index.offsetHeight : 0) + "px");
  }

  function mark(link) {
    if (!link || link === current) return;
    if (current) current.removeAttribute("aria-current");
    link.setAttribute("aria-current", "true");
    current = link;
    // The strip scrolls sideways to show the current entry (never the page: no scrollIntoView here).
    if (list.scrollWidth > list.clientWidth) {
      var left = link.offsetLeft - list.offsetLeft, right = left + link.offsetWidth;
      if (left < list.scrollLeft || right > list.scrollLeft + list.clientWidth) list.scrollLeft = left - 16;
    }
  }

  // The reading line sits a quarter down what the sticky parts leave visible; the current section is the first
  // one (in page order) that crosses it; at the very bottom of the page, the last one in view.
  function line() {
    var top = covered();
    return top + (window.innerHeight - top) / 4;
  }

  function update() {
    if (pinned) return;
    var y = line(), found = null;
    if (window.innerHeight + window.scrollY >= root.scrollHeight - 2) {
      targets.forEach(function (t, i) { if (t && t.getBoundingClientRect().top < window.innerHeight) found = links[i]; });
    } else {
      for (var i = 0; i < targets.length && !found; i++) {
        var box = targets[i] && targets[i].getBoundingClientRect();
        if (box && box.top <= y && box.bottom > y) found = links[i];
      }
    }
    mark(found);
  }

  // The observer watches a one-pixel band at the reading line: it fires whenever a section starts or stops
  // crossing it, so the page does no work while the reader scrolls within a section.
  function observe() {
    if (observer) observer.disconnect();
    if (!("IntersectionObserver" in window)) return;
    var y = Math.round(line());
    observer = new IntersectionObserver(update, {
      rootMargin: -y + "px 0px " + -(window.innerHeight - y - 1) + "px 0px",
    });
    targets.forEach(function (t) { if (t) observer.observe(t); });
  }

  // A section picked in the index is current at once, and stays so until the (smooth) jump has finished: a
  // short section at the end of the page may never reach the reading line.
  function unpinSoon(delay) {
    clearTimeout(pinTimer);
    pinTimer = setTimeout(function () { pinned = false; }, delay);
  }
  links.forEach(function (link) {
    link.addEventListener("click", function () {
      pinned = false;
      mark(link);
      pinned = true;
      unpinSoon(500);
    });
  });
  window.addEventListener("scrollend", function () { if (pinned) unpinSoon(50); });
  window.addEventListener("scroll", function () {
    if (pinned) unpinSoon(300);
    else if (window.innerHeight + window.scrollY >= root.scrollHeight - 2) update();
  }, { passive: true });
  window.addEventListener("resize", function () { measure(); observe(); update(); });
  if (bar && "ResizeObserver" in window) new ResizeObserver(function () { measure(); observe(); }).observe(bar);

  measure();
  observe();
  var start = location.hash && links.filter(function (l) { return l.hash === location.hash; })[0];
  if (start) mark(start); else update();
})();
