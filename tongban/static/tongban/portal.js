/* tongban portal: progressive enhancement only. Every page works without this file. */
(function () {
  "use strict";
  // htmx would add a <style> element for its indicators on load, which the
  // Content-Security-Policy (style-src 'self') refuses; no page uses them.
  if (window.htmx) { window.htmx.config.includeIndicatorStyles = false; }
  function ready() {
    // GOV.UK error summary pattern: move focus to the summary so screen readers announce it.
    var summary = document.querySelector("[data-autofocus]");
    if (summary) { summary.focus(); }
  }
  // A printed guide shows every answer: open the FAQ details while printing.
  var opened = [];
  window.addEventListener("beforeprint", function () {
    opened = [];
    document.querySelectorAll("details:not([open])").forEach(function (d) {
      d.setAttribute("open", ""); opened.push(d);
    });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.removeAttribute("open"); });
    opened = [];
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else { ready(); }
})();
