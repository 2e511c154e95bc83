/* Progressive enhancement for every page (the portal works without it).
 * A form that came back with errors: move the keyboard focus to its error summary, so screen readers
 * read it out and keyboard users start from the list of links to the fields. */
(function () {
  "use strict";
  var summary = document.querySelector(".form-error-summary");
  if (summary) {
    summary.focus();
  }
})();
