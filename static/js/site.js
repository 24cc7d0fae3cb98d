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
  // A copy button after each element marked data-copy (the citations), where the browser allows
  // writing to the clipboard. HTML goes along with the text, so a word processor keeps italics.
  if (navigator.clipboard) {
    document.querySelectorAll("[data-copy]").forEach(function (source) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy-button";
      button.textContent = source.dataset.copyLabel || "Copy";
      if (source.dataset.copyDescribedBy) {
        button.setAttribute("aria-describedby", source.dataset.copyDescribedBy);
      }
      button.addEventListener("click", function () {
        var text = source.textContent.trim();
        var written;
        if (window.ClipboardItem && navigator.clipboard.write) {
          written = navigator.clipboard.write([
            new ClipboardItem({
              "text/plain": new Blob([text], { type: "text/plain" }),
              "text/html": new Blob([source.innerHTML.trim()], { type: "text/html" }),
            }),
          ]);
        } else {
          written = navigator.clipboard.writeText(text);
        }
        written.then(function () {
          button.textContent = source.dataset.copiedLabel || "Copied";
        });
      });
      source.insertAdjacentElement("afterend", button);
    });
  }
  // A print button where a page offers one (the comparison); hidden without this script.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
