/* The admin's autocomplete fields (select2) draw a combobox whose only name is its current value:
 * empty when nothing is chosen. Name it (and the text box inside it) after the field's <label>. */
(function () {
  "use strict";
  function nameComboboxes() {
    document.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var label = select.id && document.querySelector('label[for="' + select.id + '"]');
      var box = select.parentNode.querySelector('.select2-selection[role="combobox"]');
      if (!label || !box) {
        return;
      }
      if (!label.id) {
        label.id = select.id + "_label";
      }
      var current = (box.getAttribute("aria-labelledby") || "").split(" ").filter(function (id) {
        return id && id !== label.id;
      });
      box.setAttribute("aria-labelledby", [label.id].concat(current).join(" "));
      var rendered = box.querySelector(".select2-selection__rendered");
      if (rendered) {
        rendered.setAttribute("aria-label", label.textContent.replace(/[:：]\s*$/, "").trim());
      }
    });
  }
  window.addEventListener("load", nameComboboxes);
  document.addEventListener("formset:added", function () { window.setTimeout(nameComboboxes, 0); });
})();
