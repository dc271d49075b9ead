// Presenter view: ask live.json every [data-live-interval] ms, update the counters, and
// show the results once they are released and the consultant presses R (or the button).
// F (or the button) toggles full screen. Text is set with textContent only.
(function () {
  "use strict";

  var root = document.querySelector("[data-live-url]");
  if (!root || !window.fetch) {
    return;
  }
  var url = root.getAttribute("data-live-url");
  var interval = parseInt(root.getAttribute("data-live-interval"), 10) || 1500;
  var status = root.querySelector("[data-live-status]");
  var revealed = root.getAttribute("data-revealed") === "true";
  var placed = !root.querySelector("[data-panel='waiting']:not([hidden])");
  var shownVersion = null;

  function find(selector) {
    return root.querySelector(selector);
  }

  function setText(selector, value) {
    var element = find(selector);
    if (element && element.textContent !== String(value)) {
      element.textContent = String(value);
    }
  }

  function show(selector, visible) {
    var element = find(selector);
    if (element) {
      element.hidden = !visible;
    }
  }

  function fillGaps(gaps) {
    var list = find("[data-live-gaps]");
    var template = find("template[data-gap-template]");
    if (!list || !template) {
      return;
    }
    while (list.firstChild) {
      list.removeChild(list.firstChild);
    }
    gaps.forEach(function (gap) {
      var item = template.content.firstElementChild.cloneNode(true);
      ["statement", "marketing", "sales", "gap"].forEach(function (name) {
        item.querySelector("[data-field='" + name + "']").textContent = gap[name];
      });
      list.appendChild(item);
    });
    show("[data-live-no-gaps]", gaps.length === 0);
  }

  function layout() {
    show("[data-panel='waiting']", !placed);
    show("[data-panel='ready']", placed && !revealed);
    show("[data-panel='result']", placed && revealed);
    root.classList.toggle("is-revealed", placed && revealed);
  }

  function update(state) {
    Object.keys(state.sides).forEach(function (side) {
      var counts = state.sides[side];
      setText('[data-live-received="' + side + '"]', counts.received);
      setText('[data-live-needed="' + side + '"]', counts.needed);
      setText('[data-live-waiting="' + side + '"]', counts.waiting);
      show('[data-live-needed-wrap="' + side + '"]', counts.needed > 0);
      // Shown whenever the side is released, even at 0: its showing must not move with one
      // response (only the counters may).
      show('[data-live-waiting-wrap="' + side + '"]', counts.needed === 0);
    });
    placed = state.placed;
    if (placed && state.version !== shownVersion) {
      // Only a release changes the results (the version says so): rebuild them then.
      setText("[data-live-type]", state.type);
      setText("[data-live-score]", state.score_text);
      fillGaps(state.gaps || []);
      shownVersion = state.version;
    }
    layout();
  }

  function setStale(stale) {
    if (status) {
      var text = stale ? status.getAttribute("data-stale-label") : "";
      if (status.textContent !== text) {
        status.textContent = text;
      }
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        // A redirect to the sign-in page answers with HTML: treat it as a lost connection.
        if (!response.ok || type.indexOf("application/json") === -1) {
          throw new Error("unexpected answer " + response.status);
        }
        return response.json();
      })
      .then(function (state) {
        update(state);
        setStale(false);
      })
      .catch(function () {
        setStale(true);
      })
      .then(function () {
        window.setTimeout(poll, interval);
      });
  }

  // --- reveal and full screen -------------------------------------------------------

  var revealButton = find("[data-action='reveal']");
  var fullscreenButton = find("[data-action='fullscreen']");

  function toggleReveal() {
    if (!placed) {
      return; // nothing to show yet: the room keeps talking
    }
    revealed = !revealed;
    layout();
  }

  function isFullscreen() {
    return !!document.fullscreenElement;
  }

  function toggleFullscreen() {
    if (isFullscreen()) {
      document.exitFullscreen();
    } else if (document.documentElement.requestFullscreen) {
      document.documentElement.requestFullscreen().catch(function () {});
    }
  }

  function labelFullscreen() {
    if (fullscreenButton) {
      fullscreenButton.textContent = fullscreenButton.getAttribute(
        isFullscreen() ? "data-label-leave" : "data-label-enter"
      );
    }
  }

  if (revealButton) {
    revealButton.hidden = false;
    revealButton.addEventListener("click", toggleReveal);
  }
  if (fullscreenButton && document.fullscreenEnabled) {
    fullscreenButton.hidden = false;
    fullscreenButton.addEventListener("click", toggleFullscreen);
    document.addEventListener("fullscreenchange", labelFullscreen);
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) {
      return;
    }
    var key = event.key.toLowerCase();
    if (key === "r") {
      event.preventDefault();
      toggleReveal();
    } else if (key === "f") {
      event.preventDefault();
      toggleFullscreen();
    }
  });

  window.setTimeout(poll, interval);
})();
