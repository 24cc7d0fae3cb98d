// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Wide screens have room to show every filter open; phones keep them folded.
  if (window.matchMedia("(min-width: 60rem)").matches) {
    document.querySelectorAll("details.facet").forEach(function (facet) {
      if (!facet.querySelector("fieldset.long")) facet.open = true;
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
