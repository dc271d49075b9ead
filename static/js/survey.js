// Questionnaire page: keep the "n of N answered" count and bar up to date, clear the
// "missing" mark of a statement once it is answered, and save answers in the background.
// The page works fully without this script: the buttons post the same form.
(function () {
  "use strict";

  var form = document.querySelector("form[data-survey-form]");
  if (!form) {
    return;
  }
  var progressText = document.querySelector("[data-progress-text]");
  var progressBar = document.querySelector("[data-progress] progress");
  var status = form.querySelector("[data-save-status]");
  var autosaveUrl = form.getAttribute("data-autosave-url");
  var SAVE_DELAY_MS = 800;
  var timer = null;
  var dirty = false;
  var sending = false;
  // Set once the server says this device already sent its answers: nothing more to save.
  var finished = false;

  function answeredCount() {
    var names = {};
    var checked = form.querySelectorAll("fieldset.item input[type=radio]:checked");
    for (var i = 0; i < checked.length; i += 1) {
      names[checked[i].name] = true;
    }
    return Object.keys(names).length;
  }

  function updateProgress() {
    var answered = answeredCount();
    if (progressText) {
      var template = progressText.getAttribute("data-template") || "{answered}";
      progressText.textContent = template.replace("{answered}", String(answered));
    }
    if (progressBar) {
      progressBar.value = answered;
    }
  }

  function clearMissing(fieldset) {
    if (!fieldset || !fieldset.classList.contains("missing")) {
      return;
    }
    fieldset.classList.remove("missing");
    fieldset.removeAttribute("aria-invalid");
    fieldset.removeAttribute("aria-describedby");
    var message = fieldset.querySelector(".field-error");
    if (message) {
      message.parentNode.removeChild(message);
    }
  }

  function showStatus(text) {
    if (status) {
      status.textContent = text || "";
    }
  }

  function save(keepalive) {
    if (finished || !dirty || !autosaveUrl || !window.fetch || !window.FormData) {
      return;
    }
    if (sending && !keepalive) {
      timer = window.setTimeout(save, SAVE_DELAY_MS);
      return;
    }
    dirty = false;
    sending = true;
    window
      .fetch(autosaveUrl, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        keepalive: Boolean(keepalive),
      })
      .then(function (response) {
        if (response.ok) {
          showStatus(form.getAttribute("data-saved-text"));
          return null;
        }
        // The server's own words, when it gives any (e.g. the answers were already sent).
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (body) {
            if (body && body.sent === true) {
              finished = true;
            }
            showStatus(
              (body && typeof body.reason === "string" && body.reason) ||
                form.getAttribute("data-save-failed-text")
            );
          });
      })
      .catch(function () {
        dirty = true;
        showStatus(form.getAttribute("data-save-failed-text"));
      })
      .then(function () {
        sending = false;
      });
  }

  form.addEventListener("change", function (event) {
    var target = event.target;
    if (!target || target.type !== "radio") {
      return;
    }
    updateProgress();
    clearMissing(target.closest("fieldset.item"));
    dirty = true;
    window.clearTimeout(timer);
    timer = window.setTimeout(save, SAVE_DELAY_MS);
  });

  // The buttons post everything themselves; a late background save must not race them.
  form.addEventListener("submit", function () {
    window.clearTimeout(timer);
    dirty = false;
  });

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      window.clearTimeout(timer);
      save(true);
    }
  });

  updateProgress();
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
})();
