// Autosave feedback for the questionnaire. The server renders the "Saved" state; this file covers
// what it cannot see: typing not yet sent, requests in flight, and network failures.
(function () {
  "use strict";
  var pending = 0;

  function cardOf(element) {
    return element && element.closest ? element.closest(".practice-card") : null;
  }

  function show(card, text, cls) {
    var el = card && card.querySelector(".save-state");
    if (!el) return;
    el.textContent = "";
    var span = document.createElement("span");
    span.className = cls;
    span.textContent = text;
    el.appendChild(span);
  }

  // Choosing an evidence file is not an answer change: it must not autosave (and redraw) the card it sits in.
  document.addEventListener("change", function (event) {
    if (event.target.type === "file") event.stopPropagation();
  }, true);
  document.addEventListener("input", function (event) {
    var card = cardOf(event.target);
    if (!card) return;
    card.setAttribute("data-unsaved", "true");
    if (card.getAttribute("data-autosave") === "paused") {
      show(card, "Not saved: autosave is paused until you keep their answer or replace it with yours.", "text-danger");
    } else {
      show(card, "Unsaved changes…", "text-body-secondary");
    }
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var card = cardOf(event.detail.elt);
    pending += 1;
    if (card) card.removeAttribute("data-unsaved");
    show(card, "Saving…", "text-body-secondary");
  });
  document.addEventListener("htmx:afterRequest", function () {
    pending = Math.max(0, pending - 1);
  });
  document.addEventListener("htmx:responseError", function (event) {
    var card = cardOf(event.detail.elt);
    if (card) card.setAttribute("data-unsaved", "true");
    if (event.detail.xhr.status === 401) {
      show(card, "Not saved: you have been signed out. Your answer is still here: log in again in another tab, then come back and use the Save button.", "text-danger");
    } else {
      show(card, "Not saved (server error). Your answer is still here: use the Save button.", "text-danger");
    }
  });
  document.addEventListener("htmx:sendError", function (event) {
    var card = cardOf(event.detail.elt);
    if (card) card.setAttribute("data-unsaved", "true");
    show(card, "Not saved: no connection. Your answer is still here: use the Save button when back online.", "text-danger");
  });
  // Leaving with typing not yet saved, or a save still in flight, asks the browser to confirm.
  window.addEventListener("beforeunload", function (event) {
    if (pending > 0 || document.querySelector(".practice-card[data-unsaved]")) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
  // A form POST saves everything on the page, so it is not "leaving without saving".
  document.addEventListener("submit", function () {
    document.querySelectorAll(".practice-card[data-unsaved]").forEach(function (card) {
      card.removeAttribute("data-unsaved");
    });
  });
})();
