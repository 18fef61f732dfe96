// dynaudit HTML report: filters for the findings table, and every
// collapsed section opened for printing. No network, no storage.
(function () {
  "use strict";
  var table = document.getElementById("findings");
  if (!table) { return; }
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var fields = ["status", "severity", "rule", "account", "region", "state"];
  var text = document.getElementById("filter-text");
  var shown = document.getElementById("shown-count");
  function value(id) {
    var el = document.getElementById("filter-" + id);
    return el ? el.value : "";
  }
  function apply() {
    var wanted = {};
    fields.forEach(function (f) { wanted[f] = value(f); });
    var needle = text ? text.value.trim().toLowerCase() : "";
    var count = 0;
    rows.forEach(function (row) {
      var ok = fields.every(function (f) {
        return wanted[f] === "" || row.getAttribute("data-" + f) === wanted[f];
      });
      if (ok && needle !== "") {
        ok = row.textContent.toLowerCase().indexOf(needle) !== -1;
      }
      row.hidden = !ok;
      if (ok) { count += 1; }
    });
    if (shown) { shown.textContent = String(count); }
  }
  fields.forEach(function (f) {
    var el = document.getElementById("filter-" + f);
    if (el) { el.addEventListener("change", apply); }
  });
  if (text) { text.addEventListener("input", apply); }
  var reset = document.getElementById("filter-reset");
  if (reset) {
    reset.addEventListener("click", function () {
      fields.forEach(function (f) {
        var el = document.getElementById("filter-" + f);
        if (el) { el.value = ""; }
      });
      if (text) { text.value = ""; }
      apply();
    });
  }
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) {
      d.setAttribute("open", "");
    });
  });
  apply();
}());
