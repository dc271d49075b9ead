// Live workshop view: poll the JSON endpoint named by [data-live-url] and update
// the counts, and show the placement and gap chart once both teams reach the threshold.
(function () {
  "use strict";

  var root = document.querySelector("[data-live-url]");
  if (!root || !window.fetch) {
    return;
  }
  var url = root.getAttribute("data-live-url");
  var interval = parseInt(root.getAttribute("data-live-interval"), 10) || 5000;
  var status = root.querySelector("[data-live-status]");

  function setText(selector, value) {
    var element = root.querySelector(selector);
    if (element) {
      element.textContent = String(value);
    }
  }

  function showChart(chartUrl) {
    var box = root.querySelector("[data-live-chart-box]");
    if (!box || !chartUrl) {
      return;
    }
    var image = box.querySelector("img");
    if (!image) {
      image = document.createElement("img");
      image.className = "chart live-chart";
      image.alt = box.getAttribute("data-chart-alt") || "";
      box.appendChild(image);
    }
    // Only swap when the answers changed (the URL carries a version), so it does not flicker.
    if (image.getAttribute("src") !== chartUrl) {
      image.setAttribute("src", chartUrl);
    }
  }

  function update(state) {
    Object.keys(state.sides).forEach(function (side) {
      var counts = state.sides[side];
      setText('[data-live-received="' + side + '"]', counts.received);
      setText('[data-live-needed="' + side + '"]', counts.needed);
      var wrap = root.querySelector('[data-live-needed-wrap="' + side + '"]');
      if (wrap) {
        wrap.classList.toggle("hidden", counts.needed === 0);
      }
    });
    var result = root.querySelector("[data-live-result]");
    if (result) {
      result.classList.toggle("hidden", !state.placed);
    }
    if (state.placed) {
      setText("[data-live-type]", state.type);
      setText("[data-live-score]", state.score_text);
      showChart(state.chart_url);
    }
  }

  function setStale(stale) {
    if (status) {
      status.textContent = stale ? status.getAttribute("data-stale-label") : "";
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

  window.setTimeout(poll, interval);
})();
