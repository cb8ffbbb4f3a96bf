/* Accessibility patches for Dash 4 components whose markup breaks WCAG rules that no component prop
 * can change (found by axe-core: tests/python/test_web_accessibility.py).
 *
 * Each patch is a CSS selector that matches the elements still needing it, and a function that
 * fixes one. They run on every DOM change, because React re-creates these elements when Dash
 * re-renders them and resets some attributes (a dropdown's focus proxy gets tabindex 0 back each
 * time the dropdown loses focus). A static file, so the Content-Security-Policy needs nothing for
 * it. Drop a patch when Dash fixes the component.
 */
(function () {
  "use strict";

  function labelFor(element) {
    return element.id ? document.querySelector('label[for="' + CSS.escape(element.id) + '"]') : null;
  }

  /** The name of a dropdown's pop-up: the label of the slicer whose button opened it. */
  function popupName(element) {
    var content = element.closest(".dash-dropdown-content");
    var trigger = content && content.id && document.querySelector('[aria-controls="' + CSS.escape(content.id) + '"]');
    var label = trigger && labelFor(trigger);
    return ((label || trigger || {}).textContent || "").trim() || "Options";
  }

  var PAGE_BUTTONS = {
    "first-page": "First page",
    "previous-page": "Previous page",
    "next-page": "Next page",
    "last-page": "Last page",
  };

  var PATCHES = [
    // dcc.Dropdown: a tabbable <input aria-hidden> stands in for the trigger button (tabindex -1)
    // and forwards focus to it (aria-hidden-focus). Tab now reaches the button itself, which has
    // the popup semantics; the proxy stays focusable by script only.
    [
      "input.dash-dropdown-focus-target:not([tabindex='-1'])",
      function (input) {
        input.tabIndex = -1;
      },
    ],
    [
      "button.dash-dropdown[tabindex='-1']",
      function (button) {
        button.tabIndex = 0;
      },
    ],
    // ... and its name is only the selected value ("All regions"): put the slicer's label first.
    [
      "button.dash-dropdown[id][aria-labelledby]",
      function (button) {
        var label = labelFor(button);
        if (!label) {
          return;
        }
        label.id = label.id || button.id + "-label";
        var ids = button.getAttribute("aria-labelledby").split(/\s+/);
        if (ids[0] !== label.id) {
          button.setAttribute("aria-labelledby", [label.id].concat(ids).join(" "));
        }
      },
    ],
    // The open dropdown (a dialog holding a listbox) has no name (aria-input-field-name): the
    // name of the slicer that opened it.
    [
      ".dash-dropdown-content[role='dialog']:not([aria-label]), .dash-dropdown-options[role='listbox']:not([aria-label])",
      function (element) {
        element.setAttribute("aria-label", popupName(element));
      },
    ],
    // ... and each option (a <label role=option>) wraps a focusable checkbox or radio button
    // (nested-interactive), which is what the keyboard moves through. The role and the selected
    // state move onto that input (a checkbox may have role option), so the focused element is
    // the option and no option holds another control.
    [
      ".dash-dropdown-options .dash-options-list-option[role], .dash-dropdown-options .dash-options-list-option[aria-selected]",
      function (option) {
        var input = option.querySelector("input");
        if (!input) {
          return;
        }
        var selected = option.hasAttribute("aria-selected") ? option.getAttribute("aria-selected") : String(input.checked);
        input.setAttribute("role", "option");
        input.setAttribute("aria-selected", selected);
        option.removeAttribute("role");
        option.removeAttribute("aria-selected");
      },
    ],
    // dcc.Checklist / RadioItems: a listbox of options that each wrap a real checkbox
    // (nested-interactive, unnamed listbox). Out of a dropdown it is a plain group of checkboxes.
    [
      ".dash-options-list[role='listbox']:not(.dash-dropdown-options)",
      function (list) {
        list.setAttribute("role", "group");
      },
    ],
    [
      ".dash-options-list[role='group'] > .dash-options-list-option[role], .dash-options-list[role='group'] > .dash-options-list-option[aria-selected]",
      function (option) {
        option.removeAttribute("role");
        option.removeAttribute("aria-selected");
      },
    ],
    // dcc.DatePickerRange: the box around both date inputs has aria-expanded but no role
    // (aria-allowed-attr); a group may be expanded.
    [
      ".dash-datepicker-input-wrapper:not([role])",
      function (box) {
        box.setAttribute("role", "group");
      },
    ],
    // ... and the calendar's year field has no label.
    [
      ".dash-datepicker-controls input:not([aria-label])",
      function (input) {
        input.setAttribute("aria-label", "Year");
      },
    ],
    // dash_table.DataTable: the page buttons are icons without a name (button-name).
    [
      ".previous-next-container button:not([aria-label])",
      function (button) {
        for (var name in PAGE_BUTTONS) {
          if (button.classList.contains(name)) {
            button.setAttribute("aria-label", PAGE_BUTTONS[name]);
          }
        }
      },
    ],
    [
      ".previous-next-container input.current-page:not([aria-label])",
      function (input) {
        input.setAttribute("aria-label", "Page number");
      },
    ],
  ];

  function patch() {
    for (var i = 0; i < PATCHES.length; i++) {
      var found = document.querySelectorAll(PATCHES[i][0]);
      for (var j = 0; j < found.length; j++) {
        PATCHES[i][1](found[j]);
      }
    }
  }

  // Mutation observers run before the next task (a key press, a click) and before the next
  // paint, so no one meets an unpatched element; a pass costs well under a millisecond, and the
  // patches' own changes end in a pass that finds nothing left to do.
  new MutationObserver(patch).observe(document.documentElement, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ["tabindex", "role", "aria-selected", "aria-labelledby"],
  });
  patch();
})();
