// Copy buttons: <button data-copy-target="id" data-copied-label="What was copied.">.
// The target is a field (its value is copied) or any element (its text is copied). The
// buttons start hidden and appear only when this script runs; without it the text can
// still be selected and copied by hand. What was copied is announced in the page's
// [data-copy-status] live region, so screen readers hear it, and the button says
// "Copied" for two seconds.
(function () {
  "use strict";

  var status = document.querySelector("[data-copy-status]");

  function textOf(target) {
    return "value" in target && typeof target.value === "string"
      ? target.value
      : target.textContent.trim();
  }

  function fallbackCopy(text) {
    var field = document.createElement("textarea");
    field.value = text;
    field.setAttribute("readonly", "");
    field.className = "visually-hidden";
    document.body.appendChild(field);
    field.select();
    var copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    document.body.removeChild(field);
    return copied;
  }

  function announce(button) {
    var message = button.getAttribute("data-copied-label") || "";
    if (status) {
      // Emptied first, so that copying the same thing twice is announced twice.
      status.textContent = "";
      window.setTimeout(function () {
        status.textContent = message;
      }, 50);
    }
    var original = button.getAttribute("data-original-label") || button.textContent;
    button.setAttribute("data-original-label", original);
    button.textContent = (status && status.getAttribute("data-done-label")) || "✓";
    window.setTimeout(function () {
      button.textContent = original;
    }, 2000);
  }

  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-copy-target"));
    if (!target) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = textOf(target);
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(
          function () { announce(button); },
          function () { if (fallbackCopy(text)) { announce(button); } }
        );
      } else if (fallbackCopy(text)) {
        announce(button);
      }
    });
  });
})();
