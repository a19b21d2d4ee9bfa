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
  // Print buttons: <button data-print> (hidden without the script, which they need).
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  // Note boxes: <textarea data-max-chars="N"> stops its form before an over-long note is
  // sent (the text stays in the box, a message says why); data-submit-on-ctrl-enter submits.
  document.querySelectorAll("textarea[data-max-chars]").forEach(function (box) {
    var limit = parseInt(box.getAttribute("data-max-chars"), 10);
    var message = document.querySelector('[data-too-long-for="' + box.id + '"]');
    box.form.addEventListener("submit", function (event) {
      if (box.value.length <= limit) { return; }
      event.preventDefault();
      if (message) {
        message.textContent = "The note has " + box.value.length.toLocaleString("en-US") +
          " characters; the limit is " + limit.toLocaleString("en-US") +
          ". Check it in parts (for example the procedure section on its own).";
        message.hidden = false;
      }
    });
  });
  document.querySelectorAll("textarea[data-submit-on-ctrl-enter]").forEach(function (box) {
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        box.form.requestSubmit();
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
