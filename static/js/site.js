// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Wide screens have room to show every short filter open; on phones the whole filter panel
  // folds, so the results are in view and one tap opens the filters.
  if (window.matchMedia("(min-width: 60rem)").matches) {
    document.querySelectorAll("details.facet").forEach(function (facet) {
      if (!facet.querySelector("fieldset.long")) facet.open = true;
    });
  } else {
    document.querySelectorAll("details.filter-panel").forEach(function (panel) {
      panel.open = false;
    });
  }
  // A copy button for the citation, where the browser allows writing to the clipboard.
  var citation = document.getElementById("citation");
  if (citation && navigator.clipboard) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button";
    button.textContent = citation.dataset.copyLabel || "Copy";
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(citation.textContent.trim()).then(function () {
        button.textContent = citation.dataset.copiedLabel || "Copied";
      });
    });
    citation.parentNode.insertAdjacentElement("afterend", button);
  }
})();
