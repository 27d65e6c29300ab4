/* The header's menu button on a phone: shows and hides the main navigation. Without this script the
 * navigation simply stays open (the button starts hidden); app.css hides the button on wider screens. */
"use strict";

(function () {
  function start() {
    const header = document.querySelector("header.top");
    const button = header && header.querySelector(".menu-toggle");
    if (!button) return;
    header.classList.add("has-menu");
    button.hidden = false;
    button.addEventListener("click", () => {
      const open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", String(open));
      header.classList.toggle("menu-open", open);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
