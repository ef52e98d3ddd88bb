// The participant list's selection: "Velg alle" for the rows shown, and a count of the
// ticked people read out as it changes. Without this script the boxes still work; only
// the count and the select-all box are missing.
(function () {
  "use strict";

  function boxes() {
    return Array.from(document.querySelectorAll('input[form="selection"][name="registration"]'));
  }

  function describe(count, counter) {
    if (count === 0) return counter.dataset.none;
    if (count === 1) return counter.dataset.one;
    return counter.dataset.many.replace("{n}", String(count));
  }

  function update() {
    const all = boxes();
    const ticked = all.filter((box) => box.checked).length;
    const counter = document.getElementById("selection-count");
    const selectAll = document.getElementById("select-all");
    if (counter) counter.textContent = describe(ticked, counter);
    if (selectAll) {
      selectAll.checked = ticked > 0 && ticked === all.length;
      selectAll.indeterminate = ticked > 0 && ticked < all.length;
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    const selectAll = document.getElementById("select-all");
    if (!selectAll) return;
    document.getElementById("select-all-field").hidden = false;
    selectAll.addEventListener("change", function () {
      boxes().forEach((box) => {
        box.checked = selectAll.checked;
      });
      update();
    });
    boxes().forEach((box) => box.addEventListener("change", update));
    update();
  });
})();
