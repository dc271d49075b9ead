// Copy buttons: <button data-copy-target="textarea-id" data-copied-label="Copied">.
// The buttons start hidden and appear only when this script runs; without it the
// readonly textarea can still be selected and copied by hand.
(function () {
  "use strict";

  function fallbackCopy(field) {
    field.focus();
    field.select();
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  function announce(button, label) {
    var original = button.getAttribute("data-original-label") || button.textContent;
    button.setAttribute("data-original-label", original);
    button.textContent = label;
    window.setTimeout(function () {
      button.textContent = original;
    }, 2000);
  }

  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy-target"));
    if (!field) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var label = button.getAttribute("data-copied-label") || "Copied";
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(
          function () { announce(button, label); },
          function () { if (fallbackCopy(field)) { announce(button, label); } }
        );
      } else if (fallbackCopy(field)) {
        announce(button, label);
      }
    });
  });
})();
