/*
 * After a refused submit the page comes back with an error summary (#error-summary, see
 * templates/macros/forms.html). Focus it, so a screen reader reads what went wrong first
 * and a keyboard user starts from its links to the fields. The page title already begins
 * with "Feil:". Loaded from a file: the Content-Security-Policy allows no inline script.
 */
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
})();
