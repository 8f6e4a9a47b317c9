// A table or chart wider than the screen scrolls inside its own box; say so above it, as a phone shows no scroll bar.
(function () {
  "use strict";
  function mark() {
    document.querySelectorAll(".table-responsive, .chart").forEach(function (box) {
      var hint = box.previousElementSibling;
      var has = hint && hint.classList.contains("scroll-hint");
      var wide = box.scrollWidth > box.clientWidth + 1;
      if (wide && !has) {
        hint = document.createElement("p");
        hint.className = "scroll-hint small";
        hint.textContent = box.classList.contains("chart")
          ? "Scroll the chart sideways to see all of it →"
          : "Scroll the table sideways to see all its columns →";
        box.insertAdjacentElement("beforebegin", hint);
      } else if (!wide && has) {
        hint.remove();
      }
    });
  }
  document.addEventListener("DOMContentLoaded", mark);
  window.addEventListener("resize", mark);
})();
