// convert-parity report: filtering and expanding cases. The page works
// without this script (every case is a <details> element); it only adds
// the filters, the links from matrix counts, and opening the case named by
// the address's #fragment.
(function () {
  "use strict";
  var cases = Array.prototype.slice.call(document.querySelectorAll(".case"));
  var text = document.getElementById("filter-text");
  var target = document.getElementById("filter-target");
  var family = document.getElementById("filter-family");
  var outcomes = Array.prototype.slice.call(document.querySelectorAll(".filter-outcome"));
  var count = document.getElementById("filter-count");
  var sections = Array.prototype.slice.call(document.querySelectorAll("section.target-cases"));
  if (!text || !target || !family || !count) {
    return;
  }

  function apply() {
    var query = text.value.trim().toLowerCase();
    var wanted = {};
    outcomes.forEach(function (o) {
      if (o.checked) {
        wanted[o.value] = true;
      }
    });
    var shown = 0;
    cases.forEach(function (el) {
      var ok = wanted[el.dataset.outcome] === true &&
        (!target.value || el.dataset.target === target.value) &&
        (!family.value || el.dataset.family === family.value) &&
        (!query || el.dataset.search.indexOf(query) !== -1);
      el.hidden = !ok;
      if (ok) {
        shown += 1;
      }
    });
    count.textContent = shown + " of " + cases.length + " listed case(s) shown";
    // A target filter hides the other targets' sections (skips included).
    sections.forEach(function (section) {
      section.hidden = !!target.value && section.dataset.target !== target.value;
    });
  }

  [text, target, family].concat(outcomes).forEach(function (el) {
    el.addEventListener("input", apply);
    el.addEventListener("change", apply);
  });

  // A count in the matrix: show exactly those cases.
  Array.prototype.slice.call(document.querySelectorAll("a.filter")).forEach(function (a) {
    a.addEventListener("click", function () {
      target.value = a.dataset.target;
      family.value = a.dataset.family;
      outcomes.forEach(function (o) {
        o.checked = o.value === a.dataset.outcome;
      });
      text.value = "";
      apply();
    });
  });

  document.getElementById("expand-all").addEventListener("click", function () {
    cases.forEach(function (el) {
      if (!el.hidden && el.tagName === "DETAILS") {
        el.open = true;
      }
    });
  });
  document.getElementById("collapse-all").addEventListener("click", function () {
    cases.forEach(function (el) {
      if (el.tagName === "DETAILS") {
        el.open = false;
      }
    });
  });

  // #case-<target>-<id> or #skipped-<target>: open it and show it.
  function openFragment() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var el = id ? document.getElementById(id) : null;
    if (el && el.tagName === "DETAILS") {
      el.hidden = false;
      el.open = true;
      el.scrollIntoView();
    }
  }
  window.addEventListener("hashchange", openFragment);

  apply();
  openFragment();
})();
