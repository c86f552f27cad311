// Entry grid: save a row when focus leaves it, Enter and arrow keys move between
// quantity fields. Without this file every row is a plain form with an Add button.
(function () {
  "use strict";

  function rowOf(el) {
    return el && el.closest ? el.closest(".entry-type") : null;
  }

  function quantityFields() {
    return Array.prototype.slice.call(document.querySelectorAll("#entry-grid .js-qty"));
  }

  function moveFrom(input, step) {
    const fields = quantityFields();
    const index = fields.indexOf(input);
    const next = fields[index + step];
    if (next) {
      next.focus();
      next.select();
    }
  }

  function saveRow(row) {
    if (!row) return;
    const form = row.querySelector("form.js-row-form");
    const quantity = row.querySelector(".js-qty");
    if (!form || !quantity || quantity.value.trim() === "") return;
    if (form.classList.contains("htmx-request")) return;
    form.requestSubmit();
  }

  document.addEventListener("keydown", function (event) {
    const el = event.target;
    if (!el.classList || !el.classList.contains("js-qty")) return;
    if (event.key === "Enter") {
      event.preventDefault();
      const row = rowOf(el);
      const fields = quantityFields();
      if (fields.indexOf(el) === fields.length - 1) {
        saveRow(row);
      } else {
        moveFrom(el, 1); // leaving the row saves it
      }
    } else if (event.key === "ArrowDown") {
      event.preventDefault();
      moveFrom(el, 1);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      moveFrom(el, -1);
    }
  });

  document.addEventListener("focusout", function (event) {
    const row = rowOf(event.target);
    if (!row || !document.getElementById("entry-grid")) return;
    if (row.contains(event.relatedTarget)) return; // still inside the same row
    saveRow(row);
  });

  // After a row comes back with an error, put the cursor in its quantity field
  // only if the user has not moved on to another field.
  document.addEventListener("htmx:afterSwap", function (event) {
    const row = event.detail && event.detail.target;
    if (!row || !row.querySelector) return;
    const invalid = row.querySelector(".js-qty[aria-invalid='true']");
    if (invalid && (document.activeElement === document.body || !document.activeElement)) {
      invalid.focus();
    }
  });
})();
