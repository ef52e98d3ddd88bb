/*
 * The back office's main menu, behind a "Meny" button on a phone instead of three rows of
 * links. Without this script the links simply stay visible. The button says whether the
 * menu is open (aria-expanded); Escape closes it and gives the focus back to the button.
 */
(() => {
  const nav = document.querySelector(".site-nav[data-collapsible]");
  if (!nav) return;
  const list = nav.querySelector(".site-nav__list");
  const button = document.createElement("button");
  button.type = "button";
  button.className = "ds-button site-nav__toggle";
  button.dataset.variant = "secondary";
  button.dataset.color = "neutral";
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", list.id);
  button.textContent = nav.dataset.menuLabel;
  nav.prepend(button);
  nav.classList.add("site-nav--collapsible");

  const setOpen = (open) => {
    button.setAttribute("aria-expanded", String(open));
    nav.classList.toggle("site-nav--open", open);
  };
  button.addEventListener("click", () => setOpen(button.getAttribute("aria-expanded") !== "true"));
  nav.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && nav.classList.contains("site-nav--open")) {
      setOpen(false);
      button.focus();
    }
  });
})();
