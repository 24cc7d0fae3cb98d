// django-import-export's export page wires its "select all" box with an inline onchange
// attribute, which the Content-Security-Policy refuses; our copy of the template drops the
// attribute and this attaches the same handler (onSelectToggleChange, from import_export's
// export_selectable_fields.js).
(function () {
  "use strict";
  if (typeof onSelectToggleChange !== "function") return;
  document.querySelectorAll("input.select-toggle").forEach(function (toggle) {
    toggle.addEventListener("change", onSelectToggleChange);
  });
})();
