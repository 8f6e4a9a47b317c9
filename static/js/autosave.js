// Autosave feedback for the questionnaire. The server renders the "Saved" state;
// this file only covers what the server cannot: requests in flight and network failures.
(function () {
  "use strict";
  var pending = 0;

  function stateOf(event) {
    var card = event.detail.elt.closest(".practice-card");
    return card && card.querySelector(".save-state");
  }

  function show(el, text, cls) {
    if (!el) return;
    el.textContent = "";
    var span = document.createElement("span");
    span.className = cls;
    span.textContent = text;
    el.appendChild(span);
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    pending += 1;
    show(stateOf(event), "Saving…", "text-body-secondary");
  });
  document.addEventListener("htmx:afterRequest", function () {
    pending = Math.max(0, pending - 1);
  });
  document.addEventListener("htmx:responseError", function (event) {
    show(stateOf(event), "Not saved (server error). Your answer is still here: use the Save button.", "text-danger");
  });
  document.addEventListener("htmx:sendError", function (event) {
    show(stateOf(event), "Not saved: no connection. Your answer is still here: use the Save button when back online.", "text-danger");
  });
  window.addEventListener("beforeunload", function (event) {
    if (pending > 0) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
