// briefgen editor: find-as-you-type over the sources of a fact and the sources table.
// Everything works without it (every source is then listed).
(function () {
  "use strict";
  function words(text) { return text.toLowerCase().split(/\s+/).filter(Boolean); }
  function filter(input, items) {
    var wanted = words(input.value);
    items.forEach(function (item) {
      var text = item.textContent.toLowerCase();
      var checked = item.querySelector("input:checked");
      item.hidden = !checked && !wanted.every(function (w) { return text.indexOf(w) >= 0; });
    });
  }
  function setup() {
    document.querySelectorAll(".source-search").forEach(function (input) {
      var list = document.getElementById(input.getAttribute("aria-controls"));
      if (!list) return;
      input.addEventListener("input", function () {
        filter(input, Array.prototype.slice.call(list.querySelectorAll("li")));
      });
    });
    document.querySelectorAll(".table-search").forEach(function (input) {
      var table = document.getElementById(input.getAttribute("aria-controls"));
      if (!table) return;
      input.addEventListener("input", function () {
        filter(input, Array.prototype.slice.call(table.querySelectorAll("tbody tr")));
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
