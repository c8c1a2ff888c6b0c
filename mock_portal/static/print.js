// A Print button (data-print: the code card, the device return form) opens the browser's print
// dialog (the CSP allows no inline script).
for (const button of document.querySelectorAll("[data-print]")) {
  button.addEventListener("click", () => window.print());
}
