// Live character counts for text fields with a length limit (data-max-length). The server refuses text over the
// limit and keeps it in the field; this tells the person before they save. Fields swapped in by htmx are counted
// as they arrive.
(function () {
  "use strict";

  function counterFor(field) {
    var counter = document.querySelector('[data-count-for="' + field.id + '"]');
    if (counter || !field.id) return counter;
    counter = document.createElement("p");
    counter.className = "char-count form-text text-end";
    counter.id = field.id + "_count";
    counter.setAttribute("data-count-for", field.id);
    field.insertAdjacentElement("afterend", counter);
    var described = field.getAttribute("aria-describedby");
    field.setAttribute("aria-describedby", (described ? described + " " : "") + counter.id);
    return counter;
  }

  function update(field) {
    var limit = parseInt(field.getAttribute("data-max-length"), 10);
    var counter = counterFor(field);
    if (!counter || !limit) return;
    var length = field.value.length;
    counter.textContent = length > limit
      ? length + " / " + limit + ": " + (length - limit) + " characters over the limit; shorten it to save"
      : length + " / " + limit;
    counter.classList.toggle("text-danger", length > limit);
  }

  function scan(root) {
    root.querySelectorAll("[data-max-length]").forEach(update);
  }

  document.addEventListener("input", function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute("data-max-length")) update(event.target);
  });
  document.addEventListener("DOMContentLoaded", function () { scan(document); });
  document.addEventListener("htmx:load", function (event) { scan(event.detail.elt); });
})();
