// ChartReady pages: progressive enhancement only; every page works without this script.
(function () {
  "use strict";
  // Copy buttons: <button data-copy="element-id">.
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (!source) { return; }
      var done = function () {
        var status = document.getElementById(button.getAttribute("data-copy") + "-status");
        if (status) { status.textContent = "Copied."; }
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(source.value || source.textContent).then(done);
      } else {
        source.select();
        document.execCommand("copy");
        done();
      }
    });
  });
  // Batch progress: <div data-progress-url="..."> with a <progress> and a status line.
  document.querySelectorAll("[data-progress-url]").forEach(function (box) {
    var bar = box.querySelector("progress");
    var text = box.querySelector("[data-progress-text]");
    var poll = function () {
      fetch(box.getAttribute("data-progress-url"), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (p) {
          bar.max = p.total; bar.value = p.done + p.failed;
          text.textContent = p.done + " of " + p.total + " checked" + (p.failed ? ", " + p.failed + " failed" : "");
          if (p.finished) {
            if (box.hasAttribute("data-reload-when-done")) { window.location.reload(); }
          } else { window.setTimeout(poll, 1000); }
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    };
    if (box.getAttribute("data-finished") !== "true") { window.setTimeout(poll, 800); }
  });
})();
