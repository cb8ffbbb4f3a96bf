/* The filter drawer of narrow screens (see app.css, max-width 900px).
 *
 * The header's Filters button (#filters-toggle) opens the filter panel (#filters) over the page;
 * its Close button, a tap beside it or Escape close it. The state is a class on <html>, outside
 * the part of the page React renders, so Dash's re-renders never undo it; on wide screens the
 * panel is always shown and the class changes nothing. A static file (no inline script), so the
 * Content-Security-Policy needs nothing for it.
 */
(function () {
  "use strict";

  var OPEN = "filters-open";
  var NARROW = window.matchMedia("(max-width: 900px)");

  function toggle() {
    return document.getElementById("filters-toggle");
  }

  function isOpen() {
    return document.documentElement.classList.contains(OPEN);
  }

  function setOpen(open, returnFocus) {
    document.documentElement.classList.toggle(OPEN, open);
    var button = toggle();
    if (button) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
    }
    if (!NARROW.matches) {
      return;
    }
    if (open) {
      var panel = document.getElementById("filters");
      var first = panel && panel.querySelector("#filters-close");
      if (first) {
        first.focus();
      }
    } else if (returnFocus && button) {
      button.focus();
    }
  }

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) {
      return;
    }
    if (target.closest("#filters-toggle")) {
      setOpen(!isOpen(), true);
    } else if (target.closest("#filters-close") || target.closest("#filters-backdrop")) {
      setOpen(false, true);
    }
  });

  // crossing the breakpoint (a rotated tablet) starts again from a closed drawer
  NARROW.addEventListener("change", function () {
    setOpen(false, false);
  });

  document.addEventListener("keydown", function (event) {
    // a dropdown or calendar open inside the drawer takes Escape first (and prevents its default)
    if (event.key === "Escape" && isOpen() && !event.defaultPrevented && NARROW.matches) {
      setOpen(false, true);
    }
  });
})();
