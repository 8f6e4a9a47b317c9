// "Copy link" buttons (data-copy names the input to copy). Without JavaScript the read-only field can be selected.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy]") : null;
    if (!button) return;
    var field = document.getElementById(button.getAttribute("data-copy"));
    var state = button.parentElement.querySelector(".copy-state");
    function say(text) { if (state) state.textContent = text; }
    if (!field) return;
    field.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(
        function () { say("Copied."); },
        function () { say("Selected: press Ctrl+C or ⌘C to copy."); }
      );
    } else {
      say(document.execCommand && document.execCommand("copy") ? "Copied." : "Selected: press Ctrl+C or ⌘C to copy.");
    }
  });
})();
