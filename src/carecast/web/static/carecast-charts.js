// Draws each chart whose Vega-Lite specification a page embeds (a <script type="application/json"
// data-chart-for="ID"> next to the element it draws into), with the Vega bundle loaded before it.
// The pages' Content-Security-Policy allows no eval and no inline style, so Vega evaluates its
// expressions with its interpreter (ast) and vega-embed and its tooltip add no <style> element
// (charts.css styles them). Without JavaScript, or should drawing fail, the figures stay readable
// in the table beside each chart.
(function () {
  "use strict";

  var OPTIONS = {
    actions: false,
    ast: true,
    renderer: "svg",
    defaultStyle: false,
    tooltip: { disableDefaultStyle: true },
  };

  function draw(root) {
    var sources = root.querySelectorAll("script[data-chart-for]");
    Array.prototype.forEach.call(sources, function (source) {
      var target = document.getElementById(source.getAttribute("data-chart-for"));
      if (target === null || target.getAttribute("data-drawn") !== null) {
        return;
      }
      target.setAttribute("data-drawn", "pending");
      target.hidden = false; // hidden in the page as served, for readers without JavaScript
      window
        .vegaEmbed(target, JSON.parse(source.textContent), OPTIONS)
        .then(function () {
          target.setAttribute("data-drawn", "yes");
        })
        .catch(function (error) {
          target.setAttribute("data-drawn", "failed");
          target.hidden = true; // the table beside it still holds every figure
          if (window.console) {
            window.console.error("carecast: a chart could not be drawn", error);
          }
        });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    draw(document);
  });
  // The period picker swaps the snapshot's part of the dashboard in place (htmx): draw its charts.
  document.addEventListener("htmx:load", function (event) {
    draw(event.detail.elt);
  });
})();
