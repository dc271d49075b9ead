// Survey pages: keep the "n of N statements answered" count and bar up to date, clear the
// "missing" mark of a statement (or a funnel stage) once it is answered, save answers in
// the background, count the characters of the open answer, and move focus to an error
// summary.
// Every page works fully without this script: its buttons post the same form.
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
  // Answers saved on the other pages: the count covers the whole questionnaire.
  var answeredElsewhere = parseInt(form.getAttribute("data-answered-elsewhere") || "0", 10);
  var SAVE_DELAY_MS = 800;
  var ANNOUNCE_DELAY_MS = 1000;
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
    return answeredElsewhere + Object.keys(names).length;
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

  function saveSoon() {
    dirty = true;
    window.clearTimeout(timer);
    timer = window.setTimeout(save, SAVE_DELAY_MS);
  }

  // --- the open answer: characters as the server counts them (code points, NFC) ---
  var box = form.querySelector("textarea[data-most]");
  var counter = form.querySelector("[data-char-count]");
  var live = form.querySelector("[data-char-count-live]");
  var announceTimer = null;

  function number(value) {
    try {
      return value.toLocaleString(document.documentElement.lang || undefined);
    } catch (error) {
      return String(value);
    }
  }

  function characters(text) {
    var clean = (text.normalize ? text.normalize("NFC") : text)
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g, "")
      .trim();
    return Array.from(clean).length;
  }

  function updateCounter() {
    if (!box || !counter) {
      return;
    }
    var most = parseInt(box.getAttribute("data-most"), 10);
    var left = most - characters(box.value);
    var text =
      left >= 0
        ? counter.getAttribute("data-left-template").replace("{left}", number(left))
        : counter.getAttribute("data-over-template").replace("{over}", number(-left));
    counter.textContent = text;
    counter.classList.toggle("over", left < 0);
    // Screen readers hear the count only near and over the limit, and not at every key.
    window.clearTimeout(announceTimer);
    if (live && left < 100) {
      announceTimer = window.setTimeout(function () {
        live.textContent = text;
      }, ANNOUNCE_DELAY_MS);
    }
  }

  form.addEventListener("change", function (event) {
    var target = event.target;
    if (!target || target.type !== "radio") {
      return;
    }
    updateProgress();
    clearMissing(target.closest("fieldset.item, fieldset.stage"));
    saveSoon();
  });

  if (box) {
    box.addEventListener("input", function () {
      updateCounter();
      saveSoon();
    });
    updateCounter();
  }

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
