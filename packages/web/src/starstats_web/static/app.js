// StarStats web: small progressive enhancements. Every page works without this file.
"use strict";

(function () {
  // Times are rendered in UTC (the log's clock); show them in the reader's own time zone.
  // data-local="short" (the activity stream) leaves out the year.
  function localTimes() {
    var long = new Intl.DateTimeFormat(undefined, {
      year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
    });
    var short = new Intl.DateTimeFormat(undefined, {
      month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
    });
    document.querySelectorAll("time[data-local]").forEach(function (el) {
      var at = new Date(el.getAttribute("datetime"));
      if (!isNaN(at.getTime())) {
        el.textContent = (el.dataset.local === "short" ? short : long).format(at);
      }
    });
  }

  // The pairing code's expiry as a live mm:ss countdown.
  function countdowns() {
    var timers = document.querySelectorAll("[data-countdown]");
    if (!timers.length) {
      return;
    }
    function tick() {
      var now = Date.now();
      timers.forEach(function (el) {
        var left = Math.max(0, Math.floor((Date.parse(el.dataset.countdown) - now) / 1000));
        if (left === 0) {
          el.textContent = "(" + (el.dataset.expiredText || "expired") + ")";
          el.classList.add("expired");
        } else {
          var seconds = String(left % 60).padStart(2, "0");
          el.textContent = "(" + Math.floor(left / 60) + ":" + seconds + " left)";
        }
      });
    }
    tick();
    window.setInterval(tick, 1000);
  }

  // Filter selects submit their form at once (the button stays for keyboards and no-JS).
  function autoSubmit() {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
      el.addEventListener("change", function () {
        if (el.form) {
          el.form.requestSubmit();
        }
      });
    });
  }

  // "Copy as text": the button copies its target's text (the clipboard API where allowed,
  // else a selection and the older copy command).
  function copyButtons() {
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      var target = document.getElementById(button.dataset.copy);
      var said = button.parentElement.querySelector("[data-copied]");
      if (!target) {
        return;
      }
      button.addEventListener("click", function () {
        var text = target.textContent;
        function done(ok) {
          if (said) {
            said.textContent = ok ? "Copied." : "Select the text and copy it.";
          }
        }
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(false); });
          return;
        }
        var range = document.createRange();
        range.selectNodeContents(target);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        done(document.execCommand("copy"));
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    copyButtons();
    localTimes();
    countdowns();
    autoSubmit();
  });
})();
